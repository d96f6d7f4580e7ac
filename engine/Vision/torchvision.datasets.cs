namespace Torchlet;

public static partial class torchvision
{
    /// <summary>torchvision.datasets: the factories; the classes live in namespace <c>Torchlet.Vision</c>.</summary>
    public static partial class datasets
    {
    }

    /// <summary>torchvision.transforms: the factories; the classes live in namespace <c>Torchlet.Vision</c>.</summary>
    public static partial class transforms
    {
    }
}
