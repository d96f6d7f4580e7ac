namespace Torchlet;

/// <summary>Thread-local switches for recording the autograd graph (torch.is_grad_enabled, torch.is_inference_mode_enabled).</summary>
internal static class GradMode
{
    [ThreadStatic] static bool t_disabled;
    [ThreadStatic] static bool t_inference;
    public static bool Enabled { get => !t_disabled; set => t_disabled = !value; }
    public static bool Inference { get => t_inference; set => t_inference = value; }
}

/// <summary>Restores the previous grad mode when disposed: <c>using (torch.no_grad()) { ... }</c>.</summary>
public sealed class GradModeScope : IDisposable
{
    readonly bool _prev, _prevInference, _setsInference;
    bool _disposed;

    internal GradModeScope(bool enabled)
    {
        _prev = GradMode.Enabled;
        GradMode.Enabled = enabled;
    }

    /// <summary>inference_mode(true) also turns recording off; inference_mode(false) leaves grad mode alone, as in PyTorch.</summary>
    internal static GradModeScope ForInference(bool mode) => new(mode ? false : GradMode.Enabled, mode);

    GradModeScope(bool enabled, bool inference) : this(enabled)
    {
        _setsInference = true;
        _prevInference = GradMode.Inference;
        GradMode.Inference = inference;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        GradMode.Enabled = _prev;
        if (_setsInference) GradMode.Inference = _prevInference;
    }
}
