using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation;

/// <summary>
/// Copies of a module's parameters by name: the trainer keeps the best epoch as one and restores it when training
/// ends (SPEC §5, early stopping), and checkpoints write it. The copies are owned by whoever took them.
/// </summary>
internal static class ParameterSnapshot
{
    /// <summary>A detached copy of every parameter of <paramref name="module"/>, outside any dispose scope.</summary>
    public static Dictionary<string, Tensor> Take(nn.Module module)
    {
        var copy = new Dictionary<string, Tensor>();
        using (no_grad())
        {
            foreach (var (name, p) in module.named_parameters())
            {
                using var view = p.detach();
                copy[name] = view.clone().DetachFromDisposeScope();
            }
        }

        return copy;
    }

    /// <summary>Copies <paramref name="snapshot"/> back into the parameters of <paramref name="module"/>.</summary>
    public static void CopyInto(nn.Module module, Dictionary<string, Tensor> snapshot)
    {
        using (no_grad())
        {
            foreach (var (name, p) in module.named_parameters())
            {
                p.copy_(snapshot[name]);
            }
        }
    }

    /// <summary>Disposes the copies and empties <paramref name="snapshot"/>; null is allowed.</summary>
    public static void Dispose(Dictionary<string, Tensor>? snapshot)
    {
        if (snapshot is null)
        {
            return;
        }

        foreach (var t in snapshot.Values)
        {
            t.Dispose();
        }

        snapshot.Clear();
    }
}
