using System.Text;
using Torchlet.Data;

namespace Torchlet.Vision;

/// <summary>
/// A labelled image dataset (torchvision.datasets.VisionDataset): item i is <c>(image, label)</c>, the image a
/// uint8 C×H×W tensor (as <c>torchvision.io.read_image</c> gives) passed through <see cref="transform"/>, the label
/// through <see cref="target_transform"/>.
/// </summary>
public abstract class VisionDataset : Dataset<(Tensor, long)>
{
    /// <param name="root">The dataset's folder; a leading <c>~</c> is the home folder (os.path.expanduser, as torchvision).
    /// Null for datasets that read no files (FakeData), as torchvision's None.</param>
    /// <param name="transform">Applied to each image as an item is read; null for none.</param>
    /// <param name="target_transform">Applied to each label as an item is read; null for none.</param>
    protected VisionDataset(string? root, ITransform? transform, Func<long, long>? target_transform)
    {
        this.root = root is null ? null : ExpandUser(root);
        this.transform = transform;
        this.target_transform = target_transform;
    }

    public string? root { get; }

    /// <summary>For error messages: where a relative root points, since the working directory is often not what one expects.</summary>
    private protected string RelativeRootNote =>
        root is null || Path.IsPathRooted(root) ? "" : $" (root '{root}' is relative to the working directory '{Environment.CurrentDirectory}': give a full path to be sure)";
    public ITransform? transform { get; }
    public Func<long, long>? target_transform { get; }

    /// <summary>The class names, label i being classes[i].</summary>
    public abstract IReadOnlyList<string> classes { get; }

    /// <summary>Class name → label.</summary>
    public IReadOnlyDictionary<string, long> class_to_idx => classes.Select((c, i) => (c, (long)i)).ToDictionary(p => p.c, p => p.Item2);

    /// <summary>The stored image (uint8 C×H×W) and label of item <paramref name="index"/>, before the transforms.</summary>
    protected abstract (Tensor image, long target) GetRaw(long index);

    public override (Tensor, long) this[long index]
    {
        get
        {
            var (image, target) = GetRaw(CheckIndex(index, Count, GetType().Name));
            if (transform is not null) image = transform.forward(image);
            if (target_transform is not null) target = target_transform(target);
            return (image, target);
        }
    }

    /// <summary>Lines the dataset adds to its repr after the root (torchvision's <c>extra_repr</c>, e.g. "Split: Train").</summary>
    public virtual string extra_repr() => "";

    /// <summary>torchvision's <c>repr(dataset)</c>.</summary>
    public override string ToString()
    {
        var body = new List<string> { $"Number of datapoints: {Count}" };
        if (root is not null) body.Add($"Root location: {root}");
        body.AddRange(extra_repr().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        if (transform is not null || target_transform is not null)
        {
            // torchvision appends StandardTransform's repr as one multi-line entry, so only its first line is indented.
            var st = new StringBuilder("StandardTransform");
            if (transform is not null) AppendIndented(st, "Transform: ", transform.ToString() ?? "");
            if (target_transform is not null) AppendIndented(st, "Target transform: ", $"<function {target_transform.Method.Name}>");
            body.Add(st.ToString());
        }
        return "Dataset " + GetType().Name + string.Concat(body.Select(line => "\n    " + line));
    }

    static void AppendIndented(StringBuilder sb, string head, string repr)
    {
        var lines = repr.Split('\n');
        sb.Append('\n').Append(head).Append(lines[0]);
        foreach (var line in lines.Skip(1)) sb.Append('\n').Append(' ', head.Length).Append(line);
    }

    static string ExpandUser(string path)
    {
        if (path != "~" && !path.StartsWith("~/", StringComparison.Ordinal)) return path;
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? path : home + path[1..];
    }
}
