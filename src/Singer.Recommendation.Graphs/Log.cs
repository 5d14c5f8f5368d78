using Microsoft.Extensions.Logging;

namespace Singer.Recommendation.Graphs;

/// <summary>The log messages of the graph builders (source-generated, so disabled levels cost nothing).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "kNN graph '{Modality}': {Rows} × {Columns} items, d = {Dimension}, k = {K}, {Weight} edges, self {SelfRule}; {Path} path on {Device}, {Precision}, {Blocks} blocks of {BlockRows} rows")]
    public static partial void KnnStarted(ILogger logger, string modality, int rows, int columns, int dimension, int k, KnnEdgeWeight weight,
        string selfRule, string path, string device, KnnPrecision precision, int blocks, int blockRows);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "kNN graph '{Modality}': {Done} / {Total} rows ({Percent:F0}%) after {Seconds:F1} s")]
    public static partial void KnnProgress(ILogger logger, string modality, long done, long total, double percent, double seconds);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information,
        Message = "kNN graph '{Modality}' built in {Seconds:F2} s: {Edges} edges ({Uncertified} rows re-selected exactly on the device)")]
    public static partial void KnnFinished(ILogger logger, string modality, double seconds, int edges, long uncertified);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug,
        Message = "kNN graph '{Modality}': block of {Rows} rows done at {Done} / {Total}, {Uncertified} rows re-selected")]
    public static partial void KnnBlock(ILogger logger, string modality, int rows, long done, long total, int uncertified);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information,
        Message = "Co-interaction graph: {Items} items, {Users} training users, {Interactions} training interactions, k_c = {K}; built in {Seconds:F2} s with {Edges} edges")]
    public static partial void CoInteractionFinished(ILogger logger, int items, int users, int interactions, int k, double seconds, int edges);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Semantic graph '{Modality}' (β = {Beta}): {Statistics}")]
    public static partial void SemanticGraphModality(ILogger logger, string modality, float beta, string statistics);
}
