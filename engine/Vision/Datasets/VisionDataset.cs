using Torchlet.Data;

namespace Torchlet.Vision;

/// <summary>
/// A labelled image dataset (torchvision.datasets.VisionDataset): item i is <c>(image, label)</c>, the image a
/// uint8 C×H×W tensor (as <c>torchvision.io.read_image</c> gives) passed through <see cref="transform"/>, the label
/// through <see cref="target_transform"/>.
/// </summary>
public abstract class VisionDataset : Dataset<(Tensor, long)>
{
    protected VisionDataset(string root, ITransform? transform, Func<long, long>? target_transform)
    {
        ArgumentNullException.ThrowIfNull(root);
        this.root = root;
        this.transform = transform;
        this.target_transform = target_transform;
    }

    public string root { get; }
    public ITransform? transform { get; }
    public Func<long, long>? target_transform { get; }

    /// <summary>The class names, label i being classes[i].</summary>
    public abstract IReadOnlyList<string> classes { get; }

    /// <summary>Class name → label.</summary>
    public IReadOnlyDictionary<string, long> class_to_idx => classes.Select((c, i) => (c, (long)i)).ToDictionary(p => p.c, p => p.Item2);

    /// <summary>The stored image (uint8 C×H×W) and label of item <paramref name="index"/>, before the transforms.</summary>
    protected abstract (Tensor image, long target) GetRaw(long index);

    public override (Tensor, long) this[long index]
    {
        get
        {
            CheckIndex(index, Count, GetType().Name);
            var (image, target) = GetRaw(index);
            if (transform is not null) image = transform.forward(image);
            if (target_transform is not null) target = target_transform(target);
            return (image, target);
        }
    }
}
