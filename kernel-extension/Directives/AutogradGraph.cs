using System.Globalization;
using System.Text;
using Microsoft.DotNet.Interactive.Formatting;

namespace Torchlet.Interactive.Directives;

/// <summary>
/// The autograd graph behind a tensor as inline SVG, in the spirit of torchviz but drawn here: the tensor at the
/// bottom (green), its grad_fn and every node reachable through <c>next_functions</c> (grey), leaves
/// (AccumulateGrad, with the variable's shape) in blue. Layers are longest-path distances from the tensor.
/// </summary>
internal static class AutogradGraph
{
    public const int MaxNodes = 120;
    const int CountLimit = 100_000;
    const int RowH = 64, BoxH = 34, GapX = 16, CharW = 7, Margin = 10;

    sealed class Item(string label, string? sub, string kind)
    {
        public string Label = label, Kind = kind;
        public string? Sub = sub;
        public List<Item> Inputs = [];
        public Dictionary<Item, int> EdgeCount = [];
        public int Layer, Order;
        public double X, W;
    }

    internal sealed record Graph(int Shown, int Total, bool TotalCapped, string Svg, IReadOnlyList<string> Labels);

    public static HtmlTag Render(Tensor t, string name)
    {
        var head = $"{name}: Tensor {Html.ShapeText(t.shape)} {Html.DType(t.dtype)}";
        if (t.grad_fn is null)
        {
            var why = t.requires_grad
                ? "a leaf that requires grad: it has no history (backward() fills its .grad)."
                : "no autograd graph: it does not require grad and no op that requires grad produced it.";
            return Html.Box(Html.Tag("div", Html.Class("hdr"), head), Html.Tag("div", Html.Class("note"), name + " is " + why));
        }
        var g = Build(t);
        var notes = new List<object?> { Html.Tag("div", Html.Class("note"),
            $"{g.Shown} node{(g.Shown == 1 ? "" : "s")} shown · arrows follow the forward pass (inputs → output); backward runs against them · blue: leaves (AccumulateGrad) · green: the tensor") };
        if (g.Total > g.Shown)
            notes.Add(Html.Tag("div", Html.Class("note"),
                $"… {(g.Total - g.Shown).ToString(CultureInfo.InvariantCulture)}{(g.TotalCapped ? "+" : "")} more nodes not drawn (at most {MaxNodes} are drawn)"));
        return Html.Box(Html.Tag("div", Html.Class("hdr"), head + $" · grad_fn=<{t.grad_fn.name()}>"), notes, new Html.Raw(g.Svg));
    }

    internal static Graph Build(Tensor t)
    {
        var root = new Item("Tensor", Html.ShapeText(t.shape), "tensor");
        var map = new Dictionary<Node, Item>(ReferenceEqualityComparer.Instance);
        var queue = new Queue<(Node node, Item item)>();
        var top = Make(t.grad_fn!);
        map[t.grad_fn!] = top;
        root.Inputs.Add(top);
        root.EdgeCount[top] = 1;
        queue.Enqueue((t.grad_fn!, top));
        // Breadth-first: the drawn part is what is closest to the tensor; the rest is only counted.
        var seen = new HashSet<Node>(ReferenceEqualityComparer.Instance) { t.grad_fn! };
        var frontier = new Queue<Node>();
        while (queue.Count > 0)
        {
            var (node, item) = queue.Dequeue();
            foreach (var next in node.next_functions)
            {
                if (next is null) continue;
                if (!map.TryGetValue(next, out var child))
                {
                    if (map.Count >= MaxNodes) { if (seen.Add(next)) frontier.Enqueue(next); continue; }
                    child = Make(next);
                    map[next] = child;
                    seen.Add(next);
                    queue.Enqueue((next, child));
                }
                if (item.EdgeCount.TryGetValue(child, out var c)) item.EdgeCount[child] = c + 1;
                else { item.Inputs.Add(child); item.EdgeCount[child] = 1; }
            }
        }
        // Count the undrawn rest (bounded: a graph can be huge).
        while (frontier.Count > 0 && seen.Count < CountLimit)
            foreach (var next in frontier.Dequeue().next_functions)
                if (next is not null && seen.Add(next)) frontier.Enqueue(next);
        int total = seen.Count;
        bool capped = frontier.Count > 0;

        var items = new List<Item> { root };
        items.AddRange(map.Values);
        Layout(root, items);
        return new Graph(map.Count, total, capped, Svg(items), map.Values.Select(i => i.Label).ToList());
    }

    static Item Make(Node n) => n is AccumulateGrad acc
        ? new Item("AccumulateGrad", (acc.variable is Parameter ? "Parameter " : "") + Html.ShapeText(acc.variable.shape), "leaf")
        : new Item(n.name(), null, "op");

    static void Layout(Item root, List<Item> items)
    {
        // Longest-path layering over the DAG: a node sits one row above its lowest consumer.
        var indeg = items.ToDictionary(i => i, _ => 0);
        foreach (var i in items) foreach (var c in i.Inputs) indeg[c]++;
        var ready = new Queue<Item>(); ready.Enqueue(root);
        root.Layer = 0;
        while (ready.Count > 0)
        {
            var i = ready.Dequeue();
            foreach (var c in i.Inputs)
            {
                c.Layer = Math.Max(c.Layer, i.Layer + 1);
                if (--indeg[c] == 0) ready.Enqueue(c);
            }
        }
        foreach (var i in items)
            i.W = Math.Max(i.Label.Length, i.Sub?.Length ?? 0) * CharW + 16;
        // Order each row by the mean position of its consumers (barycentre), rows from the tensor upward.
        var consumers = items.ToDictionary(i => i, _ => new List<Item>());
        foreach (var i in items) foreach (var c in i.Inputs) consumers[c].Add(i);
        var rows = items.GroupBy(i => i.Layer).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();
        var pos = new Dictionary<Item, double>();
        for (int r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            for (int k = 0; k < row.Count; k++) row[k].Order = k;
            if (r > 0) row.Sort((a, b) => Bary(a).CompareTo(Bary(b)) is var cmp && cmp != 0 ? cmp : a.Order.CompareTo(b.Order));
            double x = Margin;
            foreach (var i in row) { i.X = x; x += i.W + GapX; }
            foreach (var i in row) pos[i] = i.X + i.W / 2;
        }
        // Centre each row on the widest.
        double width = rows.Max(row => row.Sum(i => i.W + GapX) - GapX);
        foreach (var row in rows)
        {
            double w = row.Sum(i => i.W + GapX) - GapX, shift = (width - w) / 2;
            foreach (var i in row) i.X += shift;
        }

        double Bary(Item i) => consumers[i].Count == 0 ? 0 : consumers[i].Average(c => pos.TryGetValue(c, out var p) ? p : 0);
    }

    static string Svg(List<Item> items)
    {
        int layers = items.Max(i => i.Layer) + 1;
        double width = items.Max(i => i.X + i.W) + Margin;
        double height = layers * RowH + Margin;
        double Y(Item i) => Margin + (layers - 1 - i.Layer) * RowH;   // the tensor at the bottom
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"autograd-graph\" width=\"{width:0}\" height=\"{height:0}\" font-family=\"monospace\" font-size=\"11\">");
        sb.Append("<defs><marker id=\"tl-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#666\"/></marker></defs>");
        foreach (var i in items)
            foreach (var c in i.Inputs)
            {
                double x1 = c.X + c.W / 2, y1 = Y(c) + BoxH, x2 = i.X + i.W / 2, y2 = Y(i);
                double my = (y1 + y2) / 2;
                sb.Append(inv, $"<path d=\"M{x1:0.#},{y1:0.#} C{x1:0.#},{my:0.#} {x2:0.#},{my:0.#} {x2:0.#},{y2:0.#}\" fill=\"none\" stroke=\"#666\" marker-end=\"url(#tl-arrow)\"/>");
                if (i.EdgeCount[c] > 1)
                    sb.Append(inv, $"<text x=\"{(x1 + x2) / 2 + 4:0.#}\" y=\"{my:0.#}\" fill=\"#666\">×{i.EdgeCount[c]}</text>");
            }
        foreach (var i in items)
        {
            var (fill, stroke) = i.Kind switch { "tensor" => ("#caffbf", "#4a9a3f"), "leaf" => ("#cfe2ff", "#3f6fb5"), _ => ("#eeeeee", "#888888") };
            double y = Y(i);
            sb.Append(inv, $"<g class=\"node {i.Kind}\"><rect x=\"{i.X:0.#}\" y=\"{y:0.#}\" width=\"{i.W:0.#}\" height=\"{BoxH}\" rx=\"4\" fill=\"{fill}\" stroke=\"{stroke}\"/>");
            double cx = i.X + i.W / 2;
            if (i.Sub is null)
                sb.Append(inv, $"<text x=\"{cx:0.#}\" y=\"{y + BoxH / 2 + 4:0.#}\" text-anchor=\"middle\">{Html.Encode(i.Label)}</text>");
            else
                sb.Append(inv, $"<text x=\"{cx:0.#}\" y=\"{y + 14:0.#}\" text-anchor=\"middle\">{Html.Encode(i.Label)}</text><text x=\"{cx:0.#}\" y=\"{y + 28:0.#}\" text-anchor=\"middle\">{Html.Encode(i.Sub)}</text>");
            sb.Append("</g>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }
}
