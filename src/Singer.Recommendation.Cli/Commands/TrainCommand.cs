using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Singer.Recommendation.Core;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Singer.Recommendation.Cli.Commands;

/// <summary><c>singer train</c>: trains with early stopping, shows progress, prints the test metrics and saves the model.</summary>
internal sealed partial class TrainCommand(CliConsole console) : Command<TrainSettings>
{
    public override int Execute(CommandContext context, TrainSettings settings, CancellationToken cancellationToken)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, console.Cancellation);
        var device = Shared.ResolveDevice(settings);
        var data = Shared.LoadData(settings);
        using var loggers = Shared.Loggers(settings);
        var builder = Configure(settings, data)
            .OnDevice(device)
            .WithLogger(loggers.CreateLogger("singer"));
        // Report every configuration problem before printing anything (Build would throw the same exception later).
        var problems = builder.Validate();
        if (problems.Count > 0)
        {
            throw new SingerConfigurationException(problems.Select(InCliTerms).ToArray());
        }

        bool json = settings.Json;
        var clock = Stopwatch.StartNew();
        if (!json)
        {
            console.Out.MarkupLineInterpolated($"[bold]Data[/]   {data.ToString()}");
            console.Out.MarkupLineInterpolated($"[bold]Device[/] {device.ToString()}; model {(settings.IsLightGcn ? "LightGCN" : "SINGER")} (preset {settings.ResolvedPreset}), seed {builder.ResolveOptions().Seed}");
        }

        using var model = !json && console.Interactive
            ? console.Out.Status().Start("Building the semantic graph and the model...", _ => builder.Build(null, cancel.Token))
            : builder.Build(null, cancel.Token);
        if (!json && model.Graph is { } graph)
        {
            foreach (string m in graph.Modalities)
            {
                var s = graph.Statistics(m);
                console.Out.MarkupLineInterpolated(
                    $"[bold]Semantic graph[/] '{m}': {s.FusedEdges:N0} entries, mean degree {s.MeanDegree:F2}, {s.IsolatedItems:N0} isolated items (β = {s.Beta:0.###})");
            }
        }

        var checkpoint = settings.Checkpoint is null
            ? null
            : new CheckpointOptions(settings.Checkpoint) { EveryEpochs = settings.CheckpointEvery ?? 1, Resume = !settings.Restart };
        if (!json && checkpoint is { Resume: true } && File.Exists(checkpoint.Path))
        {
            console.Out.MarkupLineInterpolated($"Resuming from the checkpoint [bold]{checkpoint.Path}[/].");
        }

        int maxEpochs = model.Options.Training.MaxEpochs;
        TrainingReport report;
        try
        {
            report = json
                ? Fit(model, checkpoint, null, cancel.Token)
                : console.Interactive
                    ? FitWithProgressBar(model, checkpoint, maxEpochs, cancel.Token)
                    : Fit(model, checkpoint, new LineProgress(console, maxEpochs), cancel.Token);
        }
        catch (IncompatibleModelFileException e) when (checkpoint is not null)
        {
            // The library's advice names its API; say what to do on this command line.
            throw new DataMismatchException(
                $"{e.Message} To resume, repeat the options of the run that wrote it (--epochs and --patience may change); to start over, add --restart.");
        }

        model.Save(settings.Out!);
        long size = new FileInfo(settings.Out!).Length;
        if (settings.Plot is not null)
        {
            TrainingCurve.Write(report, settings.Plot);
        }

        bool cancelled = report.StopReason == TrainingStopReason.Cancelled;
        if (json)
        {
            Shared.WriteJson(console, new
            {
                model = report.ModelName,
                dataset = data.Name,
                users = data.UserCount,
                items = data.ItemCount,
                device = device.ToString(),
                seed = report.Seed,
                epochs = report.Epochs.Count,
                bestEpoch = report.BestEpoch,
                stopReason = report.StopReason,
                elapsedSeconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
                medianEpochSeconds = Math.Round(report.MedianEpochSeconds, 4),
                validationMetric = report.MetricName,
                validation = report.BestValidation is null ? null : Shared.MetricsJson(report.BestValidation),
                test = report.Test is null ? null : Shared.MetricsJson(report.Test),
                history = report.Epochs.Select(e => new
                {
                    epoch = e.Epoch,
                    loss = e.Loss.Total,
                    bpr = e.Loss.Bpr,
                    validationRecall20 = e.Validation?.Recall(20),
                    trainSeconds = Math.Round(e.TrainSeconds, 4),
                    diagnostics = e.Diagnostics is not { } d ? null : new
                    {
                        terms = d.Terms.Select(t => new { term = t.Term, value = t.Value, weight = t.Weight, userGradientNorm = t.UserGradientNorm, itemGradientNorm = t.ItemGradientNorm }),
                        userBehaviorSemanticCosine = d.UserBehaviorSemanticCosine,
                        itemBehaviorSemanticCosine = d.ItemBehaviorSemanticCosine,
                    },
                }),
                modelPath = Path.GetFullPath(settings.Out!),
                modelBytes = size,
                plotPath = settings.Plot is null ? null : Path.GetFullPath(settings.Plot),
            });
        }
        else
        {
            string best = report.BestValidation is { } v
                ? string.Create(CultureInfo.InvariantCulture, $" (validation {report.MetricName} {v.Recall(20):F4})")
                : "";
            console.Out.MarkupLineInterpolated(
                $"[bold]Stopped[/] {StopText(report.StopReason)} after {report.Epochs.Count} epochs; best epoch {report.BestEpoch}{best}; {report.Elapsed.TotalSeconds:F1} s, median epoch {report.MedianEpochSeconds:F3} s");
            if (report.Test is { } test)
            {
                console.Out.MarkupLineInterpolated($"[bold]Test metrics[/] ({test.UserCount:N0} users, full ranking, training items masked)");
                console.Out.Write(Shared.MetricsTable(test));
            }
            else
            {
                console.Out.MarkupLine("The data set has no test interactions (x_label 2), so there are no test metrics.");
            }

            console.Out.MarkupLineInterpolated($"Saved the model to [bold]{settings.Out}[/] ({Shared.Size(size)}).");
            if (settings.Plot is not null)
            {
                console.Out.MarkupLineInterpolated($"Wrote the training curve to [bold]{settings.Plot}[/].");
            }
        }

        if (cancelled)
        {
            console.Error.WriteLine($"singer: training was interrupted; the best model so far (epoch {report.BestEpoch}) was saved to {settings.Out}.");
            return ExitCodes.Cancelled;
        }

        return ExitCodes.Success;
    }

    private static TrainingReport Fit(SingerModel model, CheckpointOptions? checkpoint, IProgress<EpochReport>? progress, CancellationToken token) =>
        checkpoint is null ? model.Fit(progress, token) : model.Fit(checkpoint, progress, token);

    private TrainingReport FitWithProgressBar(SingerModel model, CheckpointOptions? checkpoint, int maxEpochs, CancellationToken token)
    {
        TrainingReport? report = null;
        console.Out.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape($"epoch 0/{maxEpochs}"), maxValue: maxEpochs);
                double best = 0;
                var progress = new CallbackProgress(r =>
                {
                    if (r.Validation is { } v)
                    {
                        best = Math.Max(best, v.Recall(20));
                    }

                    task.Value = r.Epoch;
                    task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                        $"epoch {r.Epoch}/{maxEpochs}  loss {r.Loss.Total:F4}  val R@20 {(r.Validation is { } rv ? rv.Recall(20).ToString("F4", CultureInfo.InvariantCulture) : "-")} (best {best:F4})"));
                });
                report = Fit(model, checkpoint, progress, token);
                task.Value = maxEpochs;
                task.StopTask();
            });
        return report!;
    }

    internal static string Describe(EpochReport r, int maxEpochs, double best) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {r.Epoch}/{maxEpochs}  loss {r.Loss.Total:F4}  validation Recall@20 {(r.Validation is { } v ? v.Recall(20).ToString("F4", CultureInfo.InvariantCulture) : "-")} (best {best:F4})");

    /// <summary>Reports synchronously on the training thread (the BCL's Progress&lt;T&gt; would post to a thread pool).</summary>
    private sealed class CallbackProgress(Action<EpochReport> report) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => report(value);
    }

    /// <summary>Progress as plain lines, for a console that cannot redraw (redirected output): the first epochs, every tenth and each new best.</summary>
    private sealed class LineProgress(CliConsole console, int maxEpochs) : IProgress<EpochReport>
    {
        private double _best;

        public void Report(EpochReport value)
        {
            if (value.Validation is { } v)
            {
                _best = Math.Max(_best, v.Recall(20));
            }

            if (value.Epoch <= 3 || value.Epoch % 10 == 0 || value.Epoch == maxEpochs)
            {
                console.Out.WriteLine(Describe(value, maxEpochs, _best));
            }
        }
    }

    private static string StopText(TrainingStopReason reason) => reason switch
    {
        TrainingStopReason.EarlyStopping => "by early stopping",
        TrainingStopReason.Cancelled => "on cancellation",
        _ => "at the epoch limit",
    };
}
