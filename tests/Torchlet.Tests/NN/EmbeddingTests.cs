using Torchlet;
using Xunit;
using static Torchlet.torch;
using F = Torchlet.torch.nn.functional;

namespace Torchlet.Tests.NN;

/// <summary>Embedding against PyTorch (fixtures/nn_linear.json): init, lookup, padding_idx, scale_grad_by_freq, max_norm, from_pretrained.</summary>
[Collection(GlobalStateCollection.Name)]
public class EmbeddingTests
{
    const string File = "nn_linear";

    static IEnumerable<object[]> Named(string prefix) =>
        Fixtures.Load(File).Select(c => c.GetProperty("name").GetString()!).Where(n => n.StartsWith(prefix)).Select(n => new object[] { n });

    public static IEnumerable<object[]> InitCases() => Named("embedding_init/");
    public static IEnumerable<object[]> LookupCases() => Named("embedding/");

    [Theory]
    [MemberData(nameof(InitCases))]
    public void DefaultInitEqualsPyTorchBitForBit(string name)
    {
        var c = Fixtures.Case(File, name);
        var parts = name["embedding_init/".Length..].Split('x');
        manual_seed(c.GetProperty("seed").GetInt32());
        var m = nn.Embedding(long.Parse(parts[0]), long.Parse(parts[1]), padding_idx: parts[2] == "None" ? null : long.Parse(parts[2]));
        Assert.Equal(c.GetProperty("repr").GetString(), m.ToString());
        NNFixtures.AssertParams(c.GetProperty("params"), m, 0, 0, name);
    }

    [Theory]
    [MemberData(nameof(LookupCases))]
    public void LookupAndGradientsMatchPyTorch(string name)
    {
        var c = Fixtures.Case(File, name);
        var w0 = Fixtures.T(c.GetProperty("w0"));
        var m = name["embedding/".Length..] switch
        {
            "plain" => nn.Embedding(10, 3, _weight: w0),
            "padding" => nn.Embedding(10, 3, padding_idx: 2, _weight: w0),
            "freq" => nn.Embedding(10, 3, scale_grad_by_freq: true, _weight: w0),
            "padding_freq" => nn.Embedding(10, 3, padding_idx: 4, scale_grad_by_freq: true, _weight: w0),
            "max_norm" => nn.Embedding(10, 3, max_norm: 1.0, _weight: w0),
            "max_norm_l1" => nn.Embedding(10, 3, max_norm: 1.5, norm_type: 1.0, _weight: w0),
            var n => throw new ArgumentException(n),
        };
        Assert.Equal(c.GetProperty("repr").GetString(), m.ToString());
        var y = m.forward(Fixtures.T(c.GetProperty("idx")));
        Assert.Equal(c.GetProperty("grad_fn").GetString(), y.grad_fn!.name());
        Fixtures.AssertClose(c.GetProperty("y"), y, 1e-12, 1e-10, name);
        Fixtures.AssertClose(c.GetProperty("w_after"), m.weight, 1e-12, 1e-10, name + " weight after (max_norm renormalises in place)");
        y.backward(Fixtures.T(c.GetProperty("g")));
        Fixtures.AssertClose(c.GetProperty("gw"), m.weight.grad!, 1e-12, 1e-10, name + " grad");
    }

    [Fact]
    public void FromPretrainedSharesAndFreezes()
    {
        var c = Fixtures.Case(File, "embedding_pretrained");
        var w = tensor(new double[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } });
        var e = Torchlet.Modules.Embedding.from_pretrained(w, padding_idx: 1);
        Assert.Equal(c.GetProperty("repr").GetString(), e.ToString());
        Assert.Equal(c.GetProperty("requires_grad").GetBoolean(), e.weight.requires_grad);
        Fixtures.AssertClose(c.GetProperty("y"), e.forward(tensor(new long[] { 2, 1, 0 })), 0, 0, "from_pretrained");
        var t = nn.Embedding_from_pretrained(w, freeze: false);
        Assert.True(t.weight.requires_grad);
        // shared, not copied (as PyTorch's Parameter(embeddings))
        using (no_grad()) t.weight[0, 0].fill_(42);
        Assert.Equal(42f, w[0, 0].item<float>());
    }

    [Fact]
    public void GradcheckAndInt32Indices()
    {
        var idx = tensor(new long[] { 0, 3, 3, 1, 2, 0 }).reshape(2, 3);
        GradCheck.Check(ts => F.embedding(idx, ts[0]), [GradCheck.Input([4, 3], 1)], what: "embedding");
        // padding_idx and scale_grad_by_freq change the gradient on purpose (it is no longer the derivative):
        // they are checked against PyTorch's values above, not by finite differences.
        GradCheck.Check(ts => F.embedding(idx, ts[0]).mul(ts[1]), [GradCheck.Input([4, 3], 2), GradCheck.Input([2, 3, 3], 3)], what: "embedding times input");
        var w = randn(4, 3);
        Assert.Equal(F.embedding(idx, w).data<float>().ToArray(), F.embedding(idx.to(ScalarType.Int32), w).data<float>().ToArray());
        Assert.Equal(F.embedding(idx, w).data<float>().ToArray(), embedding(w, idx).data<float>().ToArray());
    }

    [Fact]
    public void ErrorsNameTheLayerAndLeaveItUsable()
    {
        var m = nn.Embedding(5, 2);
        var e = Assert.Throws<ArgumentException>(() => m.forward(tensor(new long[] { 1, 5 })));
        Assert.StartsWith("Embedding(5, 2): index out of range", e.Message);
        e = Assert.Throws<ArgumentException>(() => m.forward(tensor(new[] { 1.0 })));
        Assert.Contains("expected an input of integer indices", e.Message);
        Assert.Equal(new long[] { 2, 2 }, m.forward(tensor(new long[] { 1, 4 })).shape);
        e = Assert.Throws<ArgumentException>(() => F.embedding(tensor(new[] { 1.0 }), randn(3, 2)));
        Assert.Contains("Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got torch.FloatTensor instead", e.Message);
        e = Assert.Throws<ArgumentException>(() => F.embedding(tensor(new long[] { 7 }), randn(3, 2)));
        Assert.Contains("index out of range in self", e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.Embedding(5, 2, padding_idx: 5));
        Assert.Contains("Padding_idx must be within num_embeddings", e.Message);
        e = Assert.Throws<ArgumentException>(() => Torchlet.Modules.Embedding.from_pretrained(randn(3)));
        Assert.Contains("Embeddings parameter is expected to be 2-dimensional", e.Message);
        e = Assert.Throws<ArgumentException>(() => nn.Embedding(5, 2, sparse: true));
        Assert.Contains("sparse gradients are not supported", e.Message);
    }

    // ---------------------------------------------------------------- regressions found by the fuzz test

    [Fact]
    public void Functional_embedding_checks_the_weight_before_its_padding_idx()
    {
        // padding_idx was checked against weight.shape[0] of a 0-dim weight: IndexOutOfRangeException.
        var e = Assert.Throws<ArgumentException>(() => F.embedding(tensor(new long[] { 0 }), tensor(1.0f), padding_idx: -3));
        Assert.StartsWith("'weight' must be 2-D", e.Message);
    }

    [Fact]
    public void A_padding_idx_past_int_pads_no_row()
    {
        // (int)(2^32 + 1) is 1: row 1 lost its gradient. PyTorch compares in int64, so no row matches.
        var w = ones(new long[] { 3, 2 }, requires_grad: true);
        embedding(w, tensor(new long[] { 0, 1, 2 }), (1L << 32) + 1).sum().backward();
        Assert.All(w.grad!.data<float>().ToArray(), v => Assert.Equal(1f, v));
    }
}
