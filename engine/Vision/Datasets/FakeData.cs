using Torchlet.Vision;

namespace Torchlet
{
    public static partial class torchvision
    {
        public static partial class datasets
        {
            /// <summary>
            /// torchvision.datasets.FakeData: <paramref name="size"/> random images, item i the same as torchvision 0.14's for
            /// the same arguments (uint8 C×H×W image, label). <paramref name="image_size"/> is (C, H, W), (3, 224, 224) by default.
            /// </summary>
            public static FakeData FakeData(long size = 1000, (long C, long H, long W)? image_size = null, long num_classes = 10,
                ITransform? transform = null, Func<long, long>? target_transform = null, long random_offset = 0) =>
                new(size, image_size, num_classes, transform, target_transform, random_offset);
        }
    }
}

namespace Torchlet.Vision
{
    /// <summary>
    /// torchvision.datasets.FakeData. Item i is what torchvision makes: <c>torch.manual_seed(i + random_offset)</c>, an image
    /// <c>torch.randn(C, H, W)</c>, a label <c>torch.randint(0, num_classes, (1,))</c>, and the image through ToPILImage, i.e.
    /// <c>img.mul(255).byte()</c> (out-of-range values wrap modulo 256, as PyTorch's float→uint8 cast does). The draws come from
    /// a private generator seeded the same way, so the global generator is untouched and DataLoader workers can read items
    /// concurrently.
    /// </summary>
    public sealed class FakeData : VisionDataset
    {
        public FakeData(long size = 1000, (long C, long H, long W)? image_size = null, long num_classes = 10,
            ITransform? transform = null, Func<long, long>? target_transform = null, long random_offset = 0)
            : base(null, transform, target_transform)
        {
            var (c, h, w) = image_size ?? (3, 224, 224);
            if (size < 0) throw new ArgumentException($"FakeData: expected size ≥ 0, got {size}", nameof(size));
            if (c < 1 || c > 4)
                throw new ArgumentException($"FakeData: expected image_size (C, H, W) with 1 to 4 channels (ToPILImage's L, LA, RGB, RGBA), got C = {c}", nameof(image_size));
            if (h < 1 || w < 1 || c * h * w > Array.MaxLength)
                throw new ArgumentException($"FakeData: expected a positive image height and width, got image_size ({c}, {h}, {w})", nameof(image_size));
            if (num_classes < 1)
                throw new ArgumentException($"FakeData: expected num_classes ≥ 1 (labels are drawn from [0, num_classes)), got {num_classes}", nameof(num_classes));
            this.size = size;
            this.image_size = (c, h, w);
            this.num_classes = num_classes;
            this.random_offset = random_offset;
        }

        public long size { get; }
        public (long C, long H, long W) image_size { get; }
        public long num_classes { get; }
        public long random_offset { get; }

        /// <summary>torchvision's FakeData has no class names; these are the labels as text ("0", "1", ...).</summary>
        public override IReadOnlyList<string> classes => new LabelNames((int)Math.Min(num_classes, int.MaxValue));

        /// <summary>"0", "1", … made when asked for, so that a large num_classes costs nothing.</summary>
        sealed class LabelNames(int count) : IReadOnlyList<string>
        {
            public int Count => count;
            public string this[int index] => (uint)index < (uint)count ? index.ToString(System.Globalization.CultureInfo.InvariantCulture) : throw new ArgumentOutOfRangeException(nameof(index), index, $"FakeData has {count} classes");
            public IEnumerator<string> GetEnumerator() { for (int i = 0; i < count; i++) yield return this[i]; }
            System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        }

        public override long Count => size;

        protected override (Tensor image, long target) GetRaw(long index)
        {
            var g = new torch.Generator(index + random_offset);
            var (c, h, w) = image_size;
            var img = torch.randn([c, h, w], generator: g);
            long target = torch.randint(0, num_classes, [1], generator: g).item<long>();
            var values = img.Span<float>();
            var bytes = new byte[values.Length];
            // pic.mul(255).byte(): a float32 product, truncated toward zero to an integer whose low byte is kept.
            for (int i = 0; i < bytes.Length; i++) bytes[i] = unchecked((byte)(int)(values[i] * 255f));
            return (torch.from_array(bytes, c, h, w), target);
        }
    }
}
