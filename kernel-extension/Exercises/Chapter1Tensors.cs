using static Torchlet.torch;

namespace Torchlet.Interactive.Exercises;

/// <summary>
/// Chapter 1 (notebook <c>01-tensors</c>): the notes' §2.1 constructors, §2.2 views that share storage,
/// §2.3 repeat / cat / stack. The worked example of a chapter file: each exercise is data (statement, hints,
/// solution, typical wrong answers) plus a checker written with <see cref="ExerciseContext"/>'s helpers.
/// </summary>
internal static class Chapter1Tensors
{
    const string Notebook = "01-tensors";

    /// <summary>The same strides wherever a dimension has more than one element (a size-1 dimension's stride is never used).</summary>
    static bool SameStrides(Tensor a, Tensor b) =>
        Enumerable.Range(0, a.dim()).All(d => a.shape[d] == 1 || a.stride()[d] == b.stride()[d]);

    public static IReadOnlyList<Exercise> Exercises { get; } =
    [
        new()
        {
            Id = "1.1",
            Title = "Zeros, a range, evenly spaced points",
            Notebook = Notebook,
            Statement = "With the constructors of §2.1, define three tensors: `z`, zeros of shape 2×3 with dtype float64; " +
                        "`r`, the even numbers 0, 2, 4, 6, 8, 10 as an int64 tensor made by `arange`; " +
                        "`p`, five evenly spaced points from 0 to 1, both ends included (float32).",
            Hints =
            [
                "Every constructor takes the shape first and a `dtype:` argument, e.g. `ones(4, 5, dtype: float64)`.",
                "`arange(start, end, step)` stops before `end`, as Python's `range` does; integer arguments give int64.",
                "`linspace(start, end, steps)` includes both ends: its third argument is the number of points, not the step.",
            ],
            Solution = """
                var z = zeros(2, 3, dtype: float64);
                var r = arange(0, 11, 2);
                var p = linspace(0, 1, 5);
                """,
            Check = c =>
            {
                var z = c.Tensor("z");
                c.ExpectShape(z, "z", 2, 3);
                c.ExpectDtype(z, "z", float64);
                c.ExpectEqual(z, "z", zeros(2, 3, dtype: float64));

                var r = c.Tensor("r");
                c.ExpectDtype(r, "r", int64);
                if (!c.ExpectEqual(r, "r", arange(0, 11, 2)) && r.shape.SequenceEqual([5L]) && r.equal(arange(0, 10, 2).to(r.dtype)))
                    c.Note("`arange` stops before its end: `arange(0, 10, 2)` ends at 8; an end past 10 (11 or 12) includes it");

                var p = c.Tensor("p");
                c.ExpectDtype(p, "p", float32);
                if (!c.ExpectClose(p, "p", linspace(0, 1, 5)) && p.numel() != 5)
                    c.Note("`linspace`'s third argument is how many points there are, ends included");
            },
            WrongAnswers =
            [
                new("var z = zeros(2, 3); var r = arange(0, 11, 2); var p = linspace(0, 1, 5);",
                    "`z` has dtype torch.float32, expected torch.float64"),
                new("var z = zeros(2, 3, dtype: float64); var r = arange(0, 10, 2); var p = linspace(0, 1, 5);",
                    "not yet: `r` has shape [5], expected [6]", "`arange` stops before its end"),
                new("var z = zeros(2, 3, dtype: float64); var r = arange(0.0, 11.0, 2.0); var p = linspace(0, 1, 5);",
                    "`r` has dtype torch.float32, expected torch.int64"),
                new("var z = zeros(2, 3, dtype: float64); var r = arange(0, 11, 2); var p = linspace(0, 1, 4);",
                    "`p` has shape [4], expected [5]"),
                new("var z = zeros(3, 2, dtype: float64); var r = arange(0, 11, 2); var p = linspace(0, 1, 5);",
                    "`z` has shape [3, 2], expected [2, 3]"),
            ],
        },
        new()
        {
            Id = "1.2",
            Title = "A random permutation, as a function",
            Notebook = Notebook,
            Statement = "Define `Func<long, Tensor> shuffle` that returns the numbers 0, 1, …, n−1 in a random order " +
                        "(§2.1's `randperm`): an int64 tensor of shape [n], a new order on every call. The checker calls it on fresh values of n.",
            Hints =
            [
                "A function the checker can call is a variable: `Func<long, Tensor> shuffle = n => …;` (a method declared with `Tensor shuffle(long n)` is not visible to it).",
                "`randperm(n)` is exactly this permutation.",
            ],
            Solution = "Func<long, Tensor> shuffle = n => randperm(n);",
            Check = c =>
            {
                var shuffle = c.Function<Func<long, Tensor>>("shuffle");
                foreach (long n in new long[] { 1, 7, 50 })
                {
                    var t = c.Call($"shuffle({n})", () => shuffle(n));
                    var what = $"shuffle({n})";
                    if (!t.shape.SequenceEqual([n])) { c.Wrong($"`{what}` has shape {Html.ShapeText(t.shape)}, expected [{n}]"); return; }
                    if (t.dtype != int64) { c.Wrong($"`{what}` has dtype {Html.DType(t.dtype)}, expected torch.int64"); return; }
                    var values = t.ToArray<long>();
                    var counts = new int[n];
                    var outside = values.Where(v => v < 0 || v >= n).ToList();
                    if (outside.Count > 0) { c.Wrong($"`{what}` contains {outside[0]}, outside 0…{n - 1}"); return; }
                    foreach (var v in values) counts[v]++;
                    int twice = Array.FindIndex(counts, k => k > 1), none = Array.IndexOf(counts, 0);
                    if (twice >= 0) { c.Wrong($"`{what}` contains {twice} {(counts[twice] == 2 ? "twice" : counts[twice] + " times")} and lacks {none}: expected each of 0…{n - 1} exactly once"); return; }
                }
                c.Right("`shuffle(n)` returns each of 0…n−1 exactly once, as int64 of shape [n] (n = 1, 7, 50)");
                var first = c.Call("shuffle(50)", () => shuffle(50));
                var second = c.Call("shuffle(50)", () => shuffle(50));
                if (first.equal(arange(50)) && second.equal(arange(50)))
                    c.Wrong("`shuffle(50)` returns 0, 1, …, 49 in order: expected a random order");
                else
                    c.Expect(!first.equal(second), "two calls of `shuffle(50)` give two different orders",
                        "two calls of `shuffle(50)` give the same order: draw a new permutation inside the function, on every call");
            },
            WrongAnswers =
            [
                new("Func<long, Tensor> shuffle = n => arange(n);",
                    "`shuffle(50)` returns 0, 1, …, 49 in order: expected a random order"),
                new("Func<long, Tensor> shuffle = n => randint(0, n, new[] { n });",
                    "exactly once"),
                new("Func<int, Tensor> shuffle = n => randperm(n);",
                    "`shuffle` is a Func<int, Tensor>, expected a Func<long, Tensor>"),
                new("Tensor shuffle(long n) => randperm(n);",
                    "`shuffle` is a method declared in a cell, which the checker cannot see or call: define it as a variable instead, `Func<long, Tensor> shuffle = …;`"),
                new("var perm = randperm(7); Func<long, Tensor> shuffle = n => perm;",
                    "`shuffle(1)` has shape [7], expected [1]"),
                new("Func<long, Tensor> shuffle = n => randperm(n, dtype: int32);",
                    "`shuffle(1)` has dtype torch.int32, expected torch.int64"),
            ],
        },
        new()
        {
            Id = "1.3",
            Title = "Views share storage",
            Notebook = Notebook,
            Statement = "Views (§2.2) give the same numbers a new shape without copying them. Define `x = arange(12)`, then " +
                        "`m`, a view of `x` with 3 rows of 4; `b`, `m` with a new leading dimension of size 1 (shape [1, 3, 4], by `unsqueeze`); " +
                        "`s`, `b` with that dimension removed again (`squeeze`). All three must share `x`'s storage: writing to one changes `x` " +
                        "(try it — the checker compares the views with `x` as it is when you check).",
            Hints =
            [
                "`x.reshape(3, 4)` (or `x.view(3, 4)`) on a contiguous tensor is a view; `clone()` would copy.",
                "`unsqueeze(dim)` inserts a dimension of size 1 before position `dim`; `squeeze()` removes every dimension of size 1.",
            ],
            Solution = """
                var x = arange(12);
                var m = x.reshape(3, 4);
                var b = m.unsqueeze(0);
                var s = b.squeeze();
                """,
            Check = c =>
            {
                // Any values: writing through a view (the statement invites it) changes `x`. What is checked is that each
                // name is a view of `x` with the right shape and the row-by-row strides of a reshape, holding `x`'s numbers.
                var x = c.Tensor("x");
                c.ExpectDtype(x, "x", int64);
                if (!c.ExpectShape(x, "x", 12)) return;   // the rest is measured against it
                if (!x.equal(arange(12)))
                    c.Note("`x` no longer holds 0, 1, …, 11: fine if you wrote through one of the views (that is the point), " +
                           "and the views are compared with `x` as it is now");
                foreach (var (name, shape) in new[] { ("m", new long[] { 3, 4 }), ("b", [1, 3, 4]), ("s", [3, 4]) })
                {
                    var t = c.Tensor(name);
                    bool shaped = c.ExpectShape(t, name, shape);
                    bool shared = c.ExpectSameStorage(t, name, x, "x");
                    if (!shaped || !shared) continue;
                    // x's numbers in x's order: a view with the right shape but other strides (a transpose) reads them in another order.
                    if (!c.ExpectEqual(t, name, x.reshape(shape)))
                        c.Note($"`{name}` shares `x`'s storage but reads it in another order: a reshape keeps the order row by row " +
                               $"(strides [{string.Join(", ", x.reshape(shape).stride())}]; `{name}` has [{string.Join(", ", t.stride())}])");
                    else if (t.storage_offset() != x.storage_offset() || !SameStrides(t, x.reshape(shape)))
                        c.Wrong($"`{name}` has strides [{string.Join(", ", t.stride())}] from offset {t.storage_offset()}, expected [{string.Join(", ", x.reshape(shape).stride())}] " +
                                $"from {x.storage_offset()}: a reshape of `x` reads its numbers row by row from the start");
                }
            },
            WrongAnswers =
            [
                new("var x = arange(12); var m = x.clone().reshape(3, 4); var b = m.unsqueeze(0); var s = b.squeeze();",
                    "`m` does not share `x`'s storage: it is a copy"),
                new("var x = arange(12); var m = x.reshape(4, 3); var b = m.unsqueeze(0); var s = b.squeeze();",
                    "`m` has shape [4, 3], expected [3, 4]"),
                new("var x = arange(12); var m = x.reshape(3, 4); var b = m.unsqueeze(1); var s = b.squeeze();",
                    "`b` has shape [3, 1, 4], expected [1, 3, 4]"),
                new("var x = arange(12); var m = x.reshape(3, 4); var b = m.unsqueeze(0); var s = b.squeeze().contiguous().clone();",
                    "`s` does not share `x`'s storage"),
                new("var x = arange(12); var m = x.reshape(3, 4); var b = m.unsqueeze(0); var s = b.squeeze().clone(); s[0, 0] = tensor(100);",
                    "`s` does not share `x`'s storage: it is a copy"),
                new("var x = arange(12); var m = x.reshape(4, 3).t(); var b = m.unsqueeze(0); var s = b.squeeze();",
                    "`m` shares `x`'s storage but reads it in another order"),
            ],
        },
        new()
        {
            Id = "1.4",
            Title = "cat, stack and repeat",
            Notebook = Notebook,
            Setup = "var a = tensor(new long[] { 1, 2, 3 });\nvar b = tensor(new long[] { 4, 5, 6 });",
            Statement = "With `a` = [1, 2, 3] and `b` = [4, 5, 6] (the cell above defines them), define, by §2.3's functions: " +
                        "`joined`, `a` then `b` end to end, shape [6] (`cat`); `rows`, `a` and `b` as the two rows of a 2×3 tensor (`stack`); " +
                        "`tiled`, shape [2, 6], whose two rows are both 1, 2, 3, 1, 2, 3 (`repeat`).",
            Hints =
            [
                "`cat(new[] { a, b }, 0)` joins along an existing dimension; `stack(new[] { a, b })` adds a new one first.",
                "`a.repeat(r0, r1)` treats `a` as 1×3 and repeats it r0 times down and r1 times across.",
            ],
            Solution = """
                var joined = cat(new[] { a, b }, 0);
                var rows = stack(new[] { a, b });
                var tiled = a.repeat(2, 2);
                """,
            Check = c =>
            {
                c.Given<Tensor>("a");
                c.Given<Tensor>("b");
                var a = tensor(new long[] { 1, 2, 3 });
                var b = tensor(new long[] { 4, 5, 6 });

                var joined = c.Tensor("joined");
                if (!c.ExpectEqual(joined, "joined", cat([a, b], 0)) && joined.dim() == 2)
                    c.Note("`stack` puts the tensors on a new dimension; `cat` joins them along one they already have");

                var rows = c.Tensor("rows");
                if (!c.ExpectEqual(rows, "rows", stack([a, b])) && rows.dim() == 1)
                    c.Note("`cat` keeps the number of dimensions; `stack` adds one, so two [3] tensors become [2, 3]");

                var tiled = c.Tensor("tiled");
                c.ExpectEqual(tiled, "tiled", a.repeat(2, 2));
            },
            WrongAnswers =
            [
                new("var joined = stack(new[] { a, b }); var rows = stack(new[] { a, b }); var tiled = a.repeat(2, 2);",
                    "`joined` has shape [2, 3], expected [6]"),
                new("var joined = cat(new[] { a, b }, 0); var rows = cat(new[] { a, b }, 0); var tiled = a.repeat(2, 2);",
                    "`rows` has shape [6], expected [2, 3]"),
                new("var joined = cat(new[] { a, b }, 0); var rows = stack(new[] { a, b }); var tiled = a.repeat(2);",
                    "`tiled` has shape [6], expected [2, 6]"),
                new("var joined = cat(new[] { b, a }, 0); var rows = stack(new[] { a, b }); var tiled = a.repeat(2, 2);",
                    "`joined[0]` is 4, expected 1 (off by 3); all 6 values differ"),
            ],
        },
    ];
}
