using Torchlet.Data;
using Torchlet.Interactive;
using static Torchlet.torch;
using static Torchlet.torch.utils.data;

namespace Torchlet.Samples;

/// <summary>
/// The notes' 训练集、验证集与测试集: the training set computes the parameters, the validation set judges under- and
/// overfitting, the test set rates the final result. Fashion-MNIST's training set is split 90/10 by random_split; a
/// model that is too small (a one-number bottleneck) and one that is too large for its data (a wide MLP fitted to
/// 500 images) are trained with their losses recorded per epoch in a TrainingHistory, and the curve rules behind
/// <c>#!nn curves</c> say which row of the notes' table each matches.
/// </summary>
public static class FitCurves
{
    public sealed record Model(string Name, string Description, long Parameters, TrainingHistory History, FitVerdict Verdict, double TestAccuracy);

    /// <param name="curves">Where to write the loss curves (epoch, then each model's training and validation loss) as CSV; null: nowhere.</param>
    public static Model[] Run(int epochs, TextWriter log, string? dataRoot = null, string? curves = null)
    {
        var (root, full) = dataRoot is null ? SampleData.FashionMnist() : (dataRoot, false);
        log.WriteLine($"data: Fashion-MNIST from {root} ({(full ? "the full set" : "the shipped sample")})");
        var tf = torchvision.transforms.Compose(torchvision.transforms.ToTensor(), torchvision.transforms.Normalize([0.2860], [0.3530]));
        var trainSet = torchvision.datasets.FashionMNIST(root: root, train: true, transform: tf);
        var testSet = torchvision.datasets.FashionMNIST(root: root, train: false, transform: tf);

        manual_seed(0);
        var parts = random_split(trainSet, [0.9, 0.1]);
        var (train, validation) = (parts[0], parts[1]);
        log.WriteLine($"random_split: {train.Count} training, {validation.Count} validation images; {testSet.Count} test images");

        var models = new List<Model>
        {
            Fit("too small", "Flatten → Linear(784, 1) → Linear(1, 10): every image squeezed into one number",
                () => nn.Sequential(nn.Flatten(), nn.Linear(784, 1), nn.Linear(1, 10)), train, validation, testSet, epochs, log),
            Fit("too large", "Flatten → Linear(784, 1024) → ReLU → Linear(1024, 1024) → ReLU → Linear(1024, 10), fitted to 500 of the training images",
                () => nn.Sequential(nn.Flatten(), nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 10)),
                Subset(train, Enumerable.Range(0, 500).Select(i => (long)i).ToArray()), validation, testSet, epochs, log),
        };

        log.WriteLine();
        log.WriteLine($"{"model",-10} {"parameters",12} {"train loss",11} {"val loss",9} {"test acc",9}  verdict");
        foreach (var m in models)
        {
            var tr = m.History.Series("loss")[^1].Value;
            var va = m.History.Series("val_loss")[^1].Value;
            log.WriteLine($"{m.Name,-10} {m.Parameters,12:N0} {tr,11:F4} {va,9:F4} {m.TestAccuracy,9:P1}  {m.Verdict.Case}");
        }
        foreach (var m in models) log.WriteLine($"\n{m.Name}: {m.Verdict.Text}");
        if (curves is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(curves))!);
            var rows = new List<string> { "epoch," + string.Join(",", models.SelectMany(m => new[] { $"{m.Name} loss", $"{m.Name} val_loss" })) };
            for (int e = 0; e < epochs; e++)
                rows.Add(e + "," + string.Join(",", models.SelectMany(m => new[] { m.History.Series("loss")[e].Value, m.History.Series("val_loss")[e].Value })
                                                              .Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture))));
            File.WriteAllLines(curves, rows);
            log.WriteLine($"\nthe curves, epoch by epoch: {curves}");
        }
        return models.ToArray();
    }

    static Model Fit(string name, string description, Func<nn.Module<Tensor, Tensor>> make, Dataset<(Tensor, long)> train,
        Dataset<(Tensor, long)> validation, Dataset<(Tensor, long)> test, int epochs, TextWriter log)
    {
        manual_seed(1);
        var net = make();
        var loader = DataLoader(train, batch_size: 64, shuffle: true);
        var val_loader = DataLoader(validation, batch_size: 500);
        var criterion = nn.CrossEntropyLoss();
        var optimizer = optim.Adam(net.parameters(), lr: 1e-3);
        var history = new TrainingHistory();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            net.train();
            double sum = 0;
            long n = 0;
            foreach (var (images, labels) in loader)
            {
                optimizer.zero_grad();
                var loss = criterion.forward(net.forward(images), labels);
                loss.backward();
                optimizer.step();
                sum += loss.item<float>() * labels.shape[0];
                n += labels.shape[0];
            }
            history.Add(epoch, train: sum / n, validation: Loss(net, val_loader, criterion));
        }
        var verdict = FitRules.Judge(history);
        var accuracy = FashionCnn.Evaluate(net, DataLoader(test, batch_size: 500));
        long parameters = net.parameters().Sum(p => p.numel());
        log.WriteLine($"{name}: {description}; {parameters:N0} parameters, {train.Count} training images, {epochs} epochs → {verdict.Case}");
        return new Model(name, description, parameters, history, verdict, accuracy);
    }

    static double Loss(nn.Module<Tensor, Tensor> net, IEnumerable<(Tensor, Tensor)> loader, Modules.CrossEntropyLoss criterion)
    {
        net.eval();
        double sum = 0;
        long n = 0;
        using (no_grad())
            foreach (var (images, labels) in loader)
            {
                sum += criterion.forward(net.forward(images), labels).item<float>() * labels.shape[0];
                n += labels.shape[0];
            }
        return sum / n;
    }
}
