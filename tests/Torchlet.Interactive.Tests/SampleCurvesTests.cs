using Torchlet.Interactive;
using Torchlet.Samples;

namespace Torchlet.Interactive.Tests;

/// <summary>
/// The train/validation sample on the shipped Fashion-MNIST sample: the curve rules behind <c>#!nn curves</c> must call
/// the one-number bottleneck underfitting and the wide MLP fitted to 500 images overfitting, as the notes' table says.
/// </summary>
[Collection(GlobalStateCollection.Name)]
public class SampleCurvesTests
{
    [Fact]
    public void The_curve_rules_judge_the_too_small_and_the_too_large_model()
    {
        var root = Path.Combine(SampleData.RepositoryRoot(), SampleData.ShippedFashionMnist);
        var log = new StringWriter();
        var models = FitCurves.Run(epochs: 30, log, root);
        Assert.Equal(2, models.Length);
        var (small, large) = (models[0], models[1]);
        Assert.True(small.Verdict.Case == Fit.Underfitting, $"too small: {small.Verdict.Text}\n{log}");
        Assert.True(large.Verdict.Case == Fit.Overfitting, $"too large: {large.Verdict.Text}\n{log}");
        // The large model fits its 500 images far better than the small one fits anything, and generalises worse than it fits.
        var trainLarge = large.History.Series("loss")[^1].Value;
        var valLarge = large.History.Series("val_loss")[^1].Value;
        Assert.True(trainLarge < small.History.Series("loss")[^1].Value / 5, log.ToString());
        Assert.True(valLarge > 3 * trainLarge, log.ToString());
        Assert.Contains("9000 training, 1000 validation images; 2000 test images", log.ToString());
    }
}
