namespace Torchlet.Vision;

/// <summary>
/// An image transform (torchvision.transforms): a function of an image tensor, C×H×W (or a batch …×C×H×W where the
/// transform allows), as TorchSharp's <c>torchvision.ITransform</c>. <c>ToString()</c> is torchvision's repr.
/// </summary>
public interface ITransform
{
    Tensor forward(Tensor input);
}
