using Torchlet;
using Xunit;
using static Torchlet.torch;

namespace Torchlet.Tests;

/// <summary>The notes' §2.4 program against the values PyTorch prints (fixtures/notes.json).</summary>
public class NotesExampleTests
{
    [Fact]
    public void Sgd_on_cos_squared_matches_pytorch_for_11_steps()
    {
        var expected = Fixtures.Case("notes", "sgd_2_4");
        var xs = expected.GetProperty("x").EnumerateArray().ToArray();
        var fs = expected.GetProperty("f").EnumerateArray().ToArray();

        var x = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
        var optimizer = optim.SGD(new[] { x }, lr: 0.1, momentum: 0);
        Tensor f = -x.cos().pow(2).sum().pow(2);
        for (int step = 0; step < 11; step++)
        {
            if (step > 0)
            {
                optimizer.zero_grad();
                f.backward();
                optimizer.step();
            }
            f = -x.cos().pow(2).sum().pow(2);
            Fixtures.AssertClose(xs[step], x, atol: 1e-5, rtol: 0, what: $"x at step {step}");
            Fixtures.AssertClose(fs[step], f, atol: 1e-5, rtol: 0, what: $"f at step {step}");
        }
    }

    [Fact]
    public void Value_and_grad_of_the_first_snippet_match_pytorch()
    {
        var expected = Fixtures.Case("notes", "value_grad_2_4");
        var x = tensor(new[] { Math.PI / 3, Math.PI / 6 }, requires_grad: true);
        var f = -x.cos().pow(2).sum().pow(2);
        Fixtures.AssertClose(expected.GetProperty("f"), f, what: "f");
        f.backward();
        Fixtures.AssertClose(expected.GetProperty("grad"), x.grad!, what: "grad");
        Assert.Equal("NegBackward0", f.grad_fn!.name());
    }
}
