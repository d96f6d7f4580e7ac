// The notes' networks trained on real images. The main job (./build.sh) runs each in a short form: a fixed number of
// steps on the shipped Fashion-MNIST sample (or the full set when Debian's dataset-fashion-mnist is installed).
//   dotnet run --project samples -- cnn|dcgan|fit|all [--full] [--out DIR]
//     cnn    §2.7: the notes' CNN on Fashion-MNIST (Adam, lr 1e-3, batch 64); --full: 2 whole epochs
//     dcgan  §2.9: the notes' DCGAN with the notes' loop (CIFAR-10 if present, else Fashion-MNIST at 32×32); --full: 5 epochs
//     fit    训练集、验证集与测试集: random_split, train/validation curves, under- and overfitting judged by the curve rules
using System.Globalization;
using Torchlet.Samples;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var argv = args.ToList();
bool full = argv.Remove("--full");
string? outDir = null;
int o = argv.IndexOf("--out");
if (o >= 0 && o + 1 < argv.Count) { outDir = argv[o + 1]; argv.RemoveRange(o, 2); }
outDir ??= Path.Combine(SampleData.RepositoryRoot(), "artifacts", "samples");
var which = argv.Count == 0 ? "all" : argv[0];
if (argv.Count > 1 || which is not ("cnn" or "dcgan" or "fit" or "all"))
{
    Console.Error.WriteLine("usage: dotnet run --project samples -- cnn|dcgan|fit|all [--full] [--out DIR]");
    return 2;
}
Console.WriteLine(full ? "full runs" : "short runs: cnn and dcgan take a fixed number of steps (--full for the full runs); fit is the same in both");

if (which is "cnn" or "all")
{
    Console.WriteLine("\n§2.7 the notes' CNN on Fashion-MNIST");
    var r = FashionCnn.Run(epochs: full ? 2 : 1, maxSteps: full ? null : 60, Console.Out);
    var seconds = string.Join(", ", r.SecondsPerEpoch.Select(s => s.ToString("F1")));
    Console.WriteLine($"cnn: test accuracy {r.TestAccuracy:P2} after {r.Steps} steps on {(r.FullData ? "the full Fashion-MNIST" : "the shipped Fashion-MNIST sample")}; " +
                      (full ? $"seconds per epoch {seconds}" : $"{seconds} s for the {r.Steps} steps") + $"; peak memory {r.PeakMemoryMB:F0} MB");
}
if (which is "dcgan" or "all")
{
    Console.WriteLine("\n§2.9 the notes' DCGAN");
    var dir = Path.Combine(outDir, "dcgan");
    var r = Dcgan.Run(epoch_num: full ? 5 : 1, maxSteps: full ? null : 101, dir, download: full, Console.Out);
    var strip = Path.Combine(dir, "fixed-noise-strip.png");
    Dcgan.SaveStrip(r.Images, strip);
    Console.WriteLine($"dcgan: {r.Steps} steps on {r.Data}, {r.SecondsPerStep:F2} s per step, final losses D {r.LastDLoss:F3} G {r.LastGLoss:F3}, peak memory {r.PeakMemoryMB:F0} MB; {r.Images.Length} fixed-noise grids and fixed-noise-strip.png in {Path.GetRelativePath(Environment.CurrentDirectory, dir)}");
}
if (which is "fit" or "all")
{
    Console.WriteLine("\nTraining, validation and test sets (训练集、验证集与测试集): under- and overfitting on real data");
    var models = FitCurves.Run(epochs: 30, Console.Out, curves: Path.Combine(outDir, "fit-curves.csv"));
    Console.WriteLine("fit: " + string.Join("; ", models.Select(m =>
        $"{m.Name} → {m.Verdict.Case}{(m.Verdict.FromEpoch is { } e ? $" from epoch {e}" : "")} (train loss {m.History.Series("loss")[^1].Value:F3}, validation {m.History.Series("val_loss")[^1].Value:F3}, test accuracy {m.TestAccuracy:P1})")));
}
return 0;
