using Torchlet;
using Xunit;

namespace Torchlet.Tests;

/// <summary>The gradcheck helper itself must catch a wrong backward, or every gradcheck test is void.</summary>
public class GradCheckSelfTests
{
    [Fact]
    public void Passes_on_a_correct_gradient()
    {
        var x = GradCheck.Input([2, 3], seed: 1);
        GradCheck.Check(t => t[0].mul(t[0]).sin(), [x], what: "sin(x*x)");
    }

    [Fact]
    public void Fails_on_a_wrong_gradient()
    {
        var x = GradCheck.Input([3], seed: 2);
        // detach() inside the function hides one factor from autograd: the Jacobian is half the true one.
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() =>
            GradCheck.Check(t => t[0].mul(t[0].detach()), [x], what: "x*detach(x)"));
    }
}
