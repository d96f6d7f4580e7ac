namespace Torchlet;

/// <summary>Thread-local switch for recording the autograd graph (torch.is_grad_enabled).</summary>
internal static class GradMode
{
    [ThreadStatic] static bool t_disabled;
    public static bool Enabled { get => !t_disabled; set => t_disabled = !value; }
}

/// <summary>Restores the previous grad mode when disposed: <c>using (torch.no_grad()) { ... }</c>.</summary>
public sealed class GradModeScope : IDisposable
{
    readonly bool _prev;
    bool _disposed;
    internal GradModeScope(bool enabled) { _prev = GradMode.Enabled; GradMode.Enabled = enabled; }
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        GradMode.Enabled = _prev;
    }
}
