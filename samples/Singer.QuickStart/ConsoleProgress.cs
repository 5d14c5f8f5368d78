using System.Globalization;
using Singer.Recommendation;

namespace Singer.QuickStart;

/// <summary>Prints one updating status line per model while it trains.</summary>
internal sealed class ConsoleProgress(string name, int maxEpochs) : IProgress<EpochReport>
{
    private double _best;

    public void Report(EpochReport value)
    {
        if (value.Validation is { } v)
        {
            _best = Math.Max(_best, v.Recall(20));
        }

        string line = string.Create(CultureInfo.InvariantCulture,
            $"{name,-9} epoch {value.Epoch,4}/{maxEpochs}  loss {value.Loss.Total,8:F4}  validation Recall@20 {value.Validation?.Recall(20) ?? double.NaN,6:F4} (best {_best:F4})  {value.TrainSeconds:F2} s");
        if (Console.IsOutputRedirected)
        {
            if (value.Epoch % 10 == 0 || value.IsBest && value.Epoch <= 3)
            {
                Console.WriteLine(line);
            }
        }
        else
        {
            Console.Write("\r" + line);
        }
    }

    public void Finish(TrainingReport report)
    {
        if (!Console.IsOutputRedirected)
        {
            Console.WriteLine();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-9} stopped: {report.StopReason} after {report.Epochs.Count} epochs; best epoch {report.BestEpoch}; {report.Elapsed.TotalSeconds:F1} s"));
    }
}
