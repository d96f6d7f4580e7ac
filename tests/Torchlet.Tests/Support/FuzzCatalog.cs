using System.Reflection;
using Torchlet;

namespace Torchlet.Tests.Fuzzing;

/// <summary>
/// The public ops the fuzz test calls, found by reflection: Tensor's public instance methods, properties
/// (getters and setters), indexers and operators, and the static functions of <c>torch</c>,
/// <c>torch.autograd</c>, <c>torch.linalg</c>, <c>torch.nn</c> (the module factories: the case then
/// runs the module's forward), <c>torch.nn.functional</c>, <c>torch.nn.init</c>, <c>torch.nn.utils</c>,
/// <c>torchvision.transforms.functional</c> and <c>torchvision.utils</c>.
/// Left out: I/O (save/load, images, downloads), seeds and generators of the default generator,
/// thread and print settings and grad-mode switches (all process- or thread-wide state), optimizer and
/// dataset factories, containers of modules, and methods taking delegates.
/// </summary>
internal static class FuzzCatalog
{
    static readonly HashSet<string> s_excludedNames =
    [
        // global state: the default generator, thread count, print options, grad / inference mode
        "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
        "set_num_threads", "get_num_threads", "set_printoptions",
        "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
        // I/O
        "load", "save", "save_image", "read_image", "decode_image",
        // object's members, delegates
        "GetType", "Equals", "GetHashCode", "ReferenceEquals", "MemberwiseClone", "register_hook",
    ];

    /// <summary>Static classes whose public static methods are ops.</summary>
    static IEnumerable<Type> OpClasses()
    {
        yield return typeof(torch);
        yield return typeof(torch.autograd);
        yield return typeof(torch.linalg);
        yield return typeof(torch.nn);
        yield return typeof(torch.nn.functional);
        yield return typeof(torch.nn.init);
        yield return typeof(torch.nn.utils);
        yield return typeof(torchvision.transforms.functional);
        yield return typeof(torchvision.utils);
    }

    public static readonly IReadOnlyList<MethodInfo> Ops = Build();

    static List<MethodInfo> Build()
    {
        var ops = new List<MethodInfo>();
        foreach (var m in typeof(Tensor).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            if (Include(m)) ops.Add(m);
        foreach (var c in OpClasses())
            foreach (var m in c.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
                if (Include(m)) ops.Add(m);
        // A stable order, so a seed picks the same op whatever order reflection lists them in.
        ops.Sort((a, b) => string.CompareOrdinal(Describe(a), Describe(b)));
        return ops;
    }

    static bool Include(MethodInfo m)
    {
        if (s_excludedNames.Contains(m.Name)) return false;
        // Generic methods are instantiated per case with an element type: only "where T : unmanaged" ones
        // (ModuleList<T> and ModuleDict<T> take modules).
        if (m.IsGenericMethodDefinition && !m.GetGenericArguments().All(a => a.GetGenericParameterConstraints().Any(c => c == typeof(ValueType))))
            return false;
        foreach (var p in m.GetParameters())
        {
            if (p.ParameterType.IsByRef || p.IsOut) return false;
            if (!FuzzArgs.Supports(p.ParameterType)) return false;
            if (p.ParameterType == typeof(string) && p.Name is "path" or "fp" or "root") return false;
        }
        return true;
    }

    public static string Describe(MethodInfo m)
    {
        var ps = string.Join(", ", m.GetParameters().Select(p => $"{TypeName(p.ParameterType)} {p.Name}"));
        var generic = m.IsGenericMethodDefinition ? "<" + string.Join(", ", m.GetGenericArguments().Select(a => a.Name)) + ">"
            : m.IsGenericMethod ? "<" + string.Join(", ", m.GetGenericArguments().Select(TypeName)) + ">" : "";
        return $"{TypeName(m.DeclaringType!)}.{m.Name}{generic}({ps}){(m.IsStatic ? "" : " [instance]")}";
    }

    public static string TypeName(Type t)
    {
        if (Nullable.GetUnderlyingType(t) is { } u) return TypeName(u) + "?";
        if (t.IsArray) return TypeName(t.GetElementType()!) + "[" + new string(',', t.GetArrayRank() - 1) + "]";
        if (t.IsGenericType)
        {
            var name = t.Name[..t.Name.IndexOf('`')];
            if (name == "ValueTuple") name = "";
            return name + "<" + string.Join(", ", t.GetGenericArguments().Select(TypeName)) + ">";
        }
        if (t.IsGenericParameter) return t.Name;
        var full = t.FullName ?? t.Name;
        return full.Replace("Torchlet.", "").Replace('+', '.') switch
        {
            "System.Int64" => "long", "System.Int32" => "int", "System.Double" => "double", "System.Single" => "float",
            "System.Boolean" => "bool", "System.Byte" => "byte", "System.String" => "string", "System.Object" => "object",
            var s => s,
        };
    }
}
