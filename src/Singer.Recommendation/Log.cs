using Microsoft.Extensions.Logging;

namespace Singer.Recommendation;

/// <summary>The library's log messages (source-generated, allocation-free when disabled).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Building the semantic graph for {ModalityCount} modalities over {ItemCount} items on {Device}")]
    public static partial void BuildingGraph(ILogger logger, int modalityCount, int itemCount, string device);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Semantic graph built in {Seconds:F2} s")]
    public static partial void GraphBuilt(ILogger logger, double seconds);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Training {Model} on {Dataset}: {Pairs} training pairs, batch {BatchSize}, at most {MaxEpochs} epochs, device {Device}, seed {Seed}")]
    public static partial void TrainingStarted(ILogger logger, string model, string dataset, int pairs, int batchSize, int maxEpochs, string device, int seed);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Epoch {Epoch}: loss {Loss:F5} (BPR {Bpr:F5}) in {TrainSeconds:F2} s; validation {Metric} {Value:F4}{Best}")]
    public static partial void EpochCompleted(ILogger logger, int epoch, double loss, double bpr, double trainSeconds, string metric, double value, string best);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Debug, Message = "Epoch {Epoch}: loss {Loss:F5} (BPR {Bpr:F5}) in {TrainSeconds:F2} s")]
    public static partial void EpochTrained(ILogger logger, int epoch, double loss, double bpr, double trainSeconds);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Information, Message = "Early stop after epoch {Epoch}: no better validation {Metric} for {Patience} evaluations; best epoch {BestEpoch}")]
    public static partial void EarlyStop(ILogger logger, int epoch, string metric, int patience, int bestEpoch);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Warning, Message = "Training cancelled after epoch {Epoch}; keeping the best model so far (epoch {BestEpoch})")]
    public static partial void Cancelled(ILogger logger, int epoch, int bestEpoch);

    [LoggerMessage(EventId = 1015, Level = LogLevel.Information, Message = "Training finished: best epoch {BestEpoch}, test {Metric} {Value:F4}, {Seconds:F1} s in all")]
    public static partial void TrainingFinished(ILogger logger, int bestEpoch, string metric, double value, double seconds);

    [LoggerMessage(EventId = 1016, Level = LogLevel.Error, Message = "Training diverged at epoch {Epoch}: the {Term} loss is {Value}; keeping the last good model (epoch {BestEpoch})")]
    public static partial void Diverged(ILogger logger, int epoch, string term, double value, int bestEpoch);

    [LoggerMessage(EventId = 1017, Level = LogLevel.Information, Message = "Resumed from {Path} after epoch {Epoch} (best epoch {BestEpoch})")]
    public static partial void Resumed(ILogger logger, string path, int epoch, int bestEpoch);

    [LoggerMessage(EventId = 1030, Level = LogLevel.Debug, Message = "Epoch {Epoch} diagnostics: {Diagnostics}")]
    public static partial void EpochDiagnostics(ILogger logger, int epoch, string diagnostics);
}
