using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Singer.Recommendation.Core;
using Singer.Recommendation.Encoders;
using Singer.Recommendation.Graphs;
using TorchSharp;
using static TorchSharp.torch;
using Singer.Recommendation.Internal;

namespace Singer.Recommendation;

// Copies of the parameters: the best epoch is kept as a snapshot and restored when training ends (SPEC §5, early
// stopping), and checkpoints write it.
public sealed partial class SingerModel
{
    private Dictionary<string, Tensor> Snapshot()
    {
        var copy = new Dictionary<string, Tensor>();
        using (no_grad())
        {
            foreach (var (name, p) in _network.named_parameters())
            {
                using var view = p.detach();
                copy[name] = view.clone().DetachFromDisposeScope();
            }
        }

        return copy;
    }

    private void Restore(Dictionary<string, Tensor>? snapshot)
    {
        if (snapshot is null)
        {
            return;
        }

        using (no_grad())
        {
            foreach (var (name, p) in _network.named_parameters())
            {
                p.copy_(snapshot[name]);
            }
        }

        InvalidateCache();
    }

    private static void DisposeSnapshot(Dictionary<string, Tensor>? snapshot)
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
