using ScottPlot;

namespace Singer.Recommendation.Cli;

/// <summary>Draws the training curve of a run: the mean total loss per epoch (left axis) and the validation Recall@20 (right axis).</summary>
internal static class TrainingCurve
{
    public const int Width = 900;
    public const int Height = 500;

    /// <summary>Writes the curve as a PNG to <paramref name="path"/> (through a temporary file, so a failure leaves no partial image).</summary>
    public static void Write(TrainingReport report, string path)
    {
        ArgumentNullException.ThrowIfNull(report);
        var plot = new Plot();
        double[] epochs = report.Epochs.Select(e => (double)e.Epoch).ToArray();
        double[] loss = report.Epochs.Select(e => e.Loss.Total).ToArray();
        var lossLine = plot.Add.Scatter(epochs, loss);
        lossLine.LegendText = "training loss (mean per epoch)";
        lossLine.MarkerSize = epochs.Length > 60 ? 0 : 4;
        lossLine.Axes.YAxis = plot.Axes.Left;

        var validated = report.Epochs.Where(e => e.Validation is not null).ToArray();
        if (validated.Length > 0)
        {
            var recall = plot.Add.Scatter(
                validated.Select(e => (double)e.Epoch).ToArray(),
                validated.Select(e => e.Validation!.Recall(20)).ToArray());
            recall.LegendText = "validation Recall@20";
            recall.MarkerSize = validated.Length > 60 ? 0 : 4;
            recall.Axes.YAxis = plot.Axes.Right;
            plot.Axes.Right.Label.Text = "validation Recall@20";

            if (report.BestEpoch > 0)
            {
                var bestLine = plot.Add.VerticalLine(report.BestEpoch);
                bestLine.LegendText = $"best epoch {report.BestEpoch}";
                bestLine.LinePattern = LinePattern.Dashed;
                bestLine.Color = Colors.Gray;
            }
        }

        plot.Title($"{report.ModelName}: {report.Epochs.Count} epochs ({report.StopReason})");
        plot.Axes.Bottom.Label.Text = "epoch";
        plot.Axes.Left.Label.Text = "loss";
        plot.ShowLegend(Edge.Bottom);

        string full = Path.GetFullPath(path);
        string temp = $"{full}.tmp-{Guid.NewGuid():N}.png";
        try
        {
            plot.SavePng(temp, Width, Height);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
