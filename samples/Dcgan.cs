using Torchlet.Data;
using Torchlet.Modules;
using Torchlet.Vision;
using static Torchlet.torch;
using static Torchlet.torch.utils.data;

namespace Torchlet.Samples;

/// <summary>
/// The notes' §2.9 DCGAN with the notes' loop: BCEWithLogits, Adam(0.0002, betas 0.5/0.999), a fixed noise batch
/// whose images are saved every 100 batches. On CIFAR-10 when its files are there, else on Fashion-MNIST padded to
/// 32×32 (the networks' size), with n_channel taken from the data.
/// </summary>
public static class Dcgan
{
    const long latent_size = 64;     // 潜在大小
    const long n_g_feature = 64;     // 生成网络隐藏层大小
    const long n_d_feature = 64;     // 鉴别网络隐藏层大小

    public static Sequential Generator(long n_channel) => nn.Sequential(
        // input (64, 1, 1)
        nn.ConvTranspose2d(latent_size, 4 * n_g_feature, kernel_size: 4, bias: false),
        nn.BatchNorm2d(4 * n_g_feature),
        nn.ReLU(),
        // (256, 4, 4)
        nn.ConvTranspose2d(4 * n_g_feature, 2 * n_g_feature, kernel_size: 4, stride: 2, padding: 1, bias: false),
        nn.BatchNorm2d(2 * n_g_feature),
        nn.ReLU(),
        // (128, 8, 8)
        nn.ConvTranspose2d(2 * n_g_feature, n_g_feature, kernel_size: 4, stride: 2, padding: 1, bias: false),
        nn.BatchNorm2d(n_g_feature),
        nn.ReLU(),
        // (64, 16, 16)
        nn.ConvTranspose2d(n_g_feature, n_channel, kernel_size: 4, stride: 2, padding: 1),
        nn.Sigmoid());
        // image (n_channel, 32, 32)

    public static Sequential Discriminator(long n_channel) => nn.Sequential(
        // image (n_channel, 32, 32)
        nn.Conv2d(n_channel, n_d_feature, kernel_size: 4, stride: 2, padding: 1),
        nn.LeakyReLU(0.2),
        // (64, 16, 16)
        nn.Conv2d(n_d_feature, 2 * n_d_feature, kernel_size: 4, stride: 2, padding: 1, bias: false),
        nn.BatchNorm2d(2 * n_d_feature),
        nn.LeakyReLU(0.2),
        // (128, 8, 8)
        nn.Conv2d(2 * n_d_feature, 4 * n_d_feature, kernel_size: 4, stride: 2, padding: 1, bias: false),
        nn.BatchNorm2d(4 * n_d_feature),
        nn.LeakyReLU(0.2),
        // (256, 4, 4)
        nn.Conv2d(4 * n_d_feature, 1, kernel_size: 4));
        // logits (1, 1, 1)

    /// <summary>The notes' weights_init: Xavier-normal convolutions, BatchNorm weights around 1.</summary>
    static void weights_init(nn.Module m)
    {
        if (m is ConvTranspose2d ct) nn.init.xavier_normal_(ct.weight);
        else if (m is Conv2d c) nn.init.xavier_normal_(c.weight);
        else if (m is BatchNorm2d bn)
        {
            nn.init.normal_(bn.weight!, 1.0, 0.02);
            nn.init.constant_(bn.bias!, 0);
        }
    }

    public sealed record Result(string Data, long Steps, string[] Images, double LastDLoss, double LastGLoss, double SecondsPerStep, double PeakMemoryMB);

    /// <param name="maxSteps">Stop after this many batches in all (the main job's short form); null = all epochs.</param>
    public static Result Run(int epoch_num, long? maxSteps, string outDir, bool download, TextWriter log)
    {
        Directory.CreateDirectory(outDir);
        manual_seed(0);
        var (dataset, data) = LoadData(download, log);
        var dataloader = DataLoader(dataset, batch_size: 64, shuffle: true);

        var (first, _) = dataset[0];
        long n_channel = first.shape[0];
        var gnet = Generator(n_channel);
        var dnet = Discriminator(n_channel);
        gnet.apply(weights_init);
        dnet.apply(weights_init);

        var criterion = nn.BCEWithLogitsLoss();
        var goptimizer = optim.Adam(gnet.parameters(), lr: 0.0002, beta1: 0.5, beta2: 0.999);
        var doptimizer = optim.Adam(dnet.parameters(), lr: 0.0002, beta1: 0.5, beta2: 0.999);

        // A fixed noise batch: the same latent vectors, seen at several points of the training.
        long batch_size = 64;
        var fixed_noises = randn(batch_size, latent_size, 1, 1);

        var images = new List<string>();
        long steps = 0;
        double dl = 0, gl = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int epoch = 0; epoch < epoch_num; epoch++)
        {
            foreach (var (batch_idx, (real_images, _)) in dataloader.Index())
            {
                if (maxSteps is { } max && steps >= max) break;
                batch_size = real_images.size(0);

                // Train the discriminator: real images are labelled 1, generated ones 0.
                var labels = ones(batch_size);
                var preds = dnet.forward(real_images);
                var outputs = preds.reshape(-1);
                var dloss_real = criterion.forward(outputs, labels);
                var dmean_real = outputs.sigmoid().mean();

                var noises = randn(batch_size, latent_size, 1, 1);
                var fake_images = gnet.forward(noises);
                labels = zeros(batch_size);
                var fake = fake_images.detach();   // no gradient back into the generator here
                preds = dnet.forward(fake);
                outputs = preds.view(-1);
                var dloss_fake = criterion.forward(outputs, labels);
                var dmean_fake = outputs.sigmoid().mean();

                var dloss = dloss_real + dloss_fake;
                dnet.zero_grad();
                dloss.backward();
                doptimizer.step();

                // Train the generator: it wants its images judged real.
                labels = ones(batch_size);
                preds = dnet.forward(fake_images);
                outputs = preds.view(-1);
                var gloss = criterion.forward(outputs, labels);
                var gmean_fake = outputs.sigmoid().mean();
                gnet.zero_grad();
                gloss.backward();
                goptimizer.step();

                dl = dloss.item<float>();
                gl = gloss.item<float>();
                steps++;
                if (batch_idx % 100 == 0)
                {
                    // The discriminator's mean "real" probability: for real images, for generated ones before its update
                    // and after it (in the generator's step): the notes' 真数据判真比例 and 假数据判真比例.
                    log.WriteLine($"[{epoch}/{epoch_num}][{batch_idx}/{dataloader.Count}] losses: discriminator {dl:g4}, generator {gl:g4}; " +
                                  $"judged real: real images {dmean_real.item<float>():g3}, generated {dmean_fake.item<float>():g3} (D step) / {gmean_fake.item<float>():g3} (G step)");
                    Tensor sample;
                    using (no_grad()) sample = gnet.forward(fixed_noises);
                    var path = Path.Combine(outDir, $"images_epoch{epoch:00}_batch{batch_idx:000}.png");
                    torchvision.utils.save_image(sample, path);
                    images.Add(path);
                }
            }
            if (maxSteps is { } m && steps >= m) break;
        }
        return new Result(data, steps, images.ToArray(), dl, gl, clock.Elapsed.TotalSeconds / Math.Max(1, steps), SampleData.PeakMemoryMB());
    }

    /// <summary>CIFAR-10 as the notes load it; when its files are absent, Fashion-MNIST padded from 28×28 to 32×32.</summary>
    static (Dataset<(Tensor, long)> dataset, string name) LoadData(bool download, TextWriter log)
    {
        var cifarRoot = Path.Combine(SampleData.RepositoryRoot(), "data");
        try
        {
            var cifar = torchvision.datasets.CIFAR10(root: cifarRoot, download: download, transform: torchvision.transforms.ToTensor());
            log.WriteLine($"data: CIFAR-10 from {cifarRoot} ({cifar.Count} images)");
            return (cifar, "CIFAR-10");
        }
        // Absent, not downloadable here, or damaged (md5, truncated): the notes' DCGAN then learns Fashion-MNIST instead.
        catch (Exception e) when (e is IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException
                                      or System.Net.Http.HttpRequestException or TimeoutException or TaskCanceledException)
        {
            var (root, full) = SampleData.FashionMnist();
            var fashion = torchvision.datasets.FashionMNIST(root: root, train: true, transform: torchvision.transforms.Compose(torchvision.transforms.Pad(2), torchvision.transforms.ToTensor()));
            log.WriteLine($"data: CIFAR-10 is not available ({FirstLine(e.Message)}); using Fashion-MNIST from {root} " +
                          $"({(full ? "the full set" : "the shipped sample")}, {fashion.Count} images) padded to 32×32 instead");
            return (fashion, full ? "the full Fashion-MNIST" : "the shipped Fashion-MNIST sample");
        }
    }

    // The message's first line, and the next one too when the first only introduces it ("could not download X:").
    static string FirstLine(string s)
    {
        var lines = s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var first = lines.Length == 0 ? "" : lines[0].Split(". ")[0];
        return first.EndsWith(':') && lines.Length > 1 ? $"{first} {lines[1]}" : first;
    }

    /// <summary>The first row (8 images) of the first, middle and last fixed-noise grids, one under the other.</summary>
    public static void SaveStrip(IReadOnlyList<string> grids, string path)
    {
        var picks = new[] { grids[0], grids[grids.Count / 2], grids[^1] }.Distinct().ToList();   // a short run may have only two
        var rows = picks.Select(p => torchvision.io.read_image(p, torchvision.io.ImageReadMode.RGB)[.., ..(2 + 34), ..]).ToList();   // the grid's first row
        var strip = cat(rows.Select(r => r.to(float32).div(255)).ToList(), 1);
        torchvision.utils.save_image(strip, path, padding: 0);
    }
}
