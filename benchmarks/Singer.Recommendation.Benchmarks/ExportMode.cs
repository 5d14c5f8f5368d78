using System.Diagnostics;
using System.Globalization;
using System.Text;
using Singer.Recommendation.Core;
using Singer.Recommendation.Export;
using static Singer.Recommendation.Benchmarks.ModeSupport;

namespace Singer.Recommendation.Benchmarks;

/// <summary>
/// <c>export</c>: the all-users Parquet export over a synthetic catalogue (default 100,000 users × 100,000 items ×
/// 64-d, an untrained LightGCN — the cost does not depend on the values), k = 100: the top-k alone (enumerating
/// <c>RecommendAllUsers</c>), then the whole export to a file, with throughput, file size and the process's peak
/// resident memory during each.
/// </summary>
internal static class ExportMode
{
    public static int Run(string[] args)
    {
        int items = Int(args, "items", 100_000), users = Int(args, "users", 100_000), dim = Int(args, "dim", 64), k = Int(args, "k", 100);
        int batch = Int(args, "batch", 256);
        string output = Option(args, "output", "");
        string file = Option(args, "file", Path.Combine(Path.GetTempPath(), $"singer-export-{Environment.ProcessId}.parquet"));
        var setup = Stopwatch.StartNew();
        var data = SyntheticDataGenerator.Generate(new SyntheticDataOptions { Items = items, Users = users, Interactions = users * 12, ImageDimension = 8, TextDimension = 8 });
        using var model = SingerModelBuilder.LightGcn(data).WithTraining(t => t.EmbeddingSize(dim)).WithSeed(7).Build();
        var precision = Option(args, "precision", "int8") switch
        {
            "int8" => RecommendPrecision.Int8Rescored,
            "exact" => RecommendPrecision.Exact,
            var p => throw new ArgumentException($"--precision must be int8 (the engine's default) or exact; got '{p}'."),
        };
        using var engine = RecommendationEngine.Create(model, new RecommendationEngineOptions { Precision = precision });
        GC.Collect();
        var sb = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        sb.AppendLine(c, $"All-users export: {users:N0} users × {items:N0} items × {dim}-d (synthetic, untrained LightGCN), k = {k}, batches of {batch} users, seen items excluded, engine precision {precision}");
        sb.AppendLine(c, $"Machine: {Machine()}; load average at start: {LoadAverage()}; set-up {setup.Elapsed.TotalSeconds:F1} s");
        sb.AppendLine();
        sb.AppendLine("| step | seconds | users/s | rows/s | peak resident (MB) | growth during the step (MB) | file (MB) |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|");

        long count = 0;
        var clock = Stopwatch.StartNew();
        var (before, peak) = PeakMemory.Measure(() =>
        {
            foreach (var user in engine.RecommendAllUsers(k, true, batch))
            {
                count += user.Items.Count;
            }
        });
        double topSeconds = clock.Elapsed.TotalSeconds;
        sb.AppendLine(c, $"| top-{k} of every user (`RecommendAllUsers`, nothing written) | {topSeconds:F1} | {users / topSeconds:N0} | {count / topSeconds:N0} | {Mb(peak)} | {Mb(peak - before)} | - |");
        Console.WriteLine(sb.ToString());

        ExportSummary? summary = null;
        clock.Restart();
        (before, peak) = PeakMemory.Measure(() =>
            summary = RecommendationExport.WriteParquetAsync(engine, file, new ParquetExportOptions { K = k, BatchSize = batch }).GetAwaiter().GetResult());
        double seconds = clock.Elapsed.TotalSeconds;
        long bytes = new FileInfo(file).Length;
        sb.AppendLine(c, $"| Parquet export to a file (`RecommendationExport.WriteParquetAsync`) | {seconds:F1} | {users / seconds:N0} | {summary!.Rows / seconds:N0} | {Mb(peak)} | {Mb(peak - before)} | {bytes / 1048576.0:F0} |");
        File.Delete(file);
        sb.AppendLine();
        sb.AppendLine(c, $"{summary.Rows:N0} rows in {summary.RowGroups} row groups; load average at the end: {LoadAverage()}; libtorch intra-op threads {TorchSharp.torch.get_num_threads()}.");
        Emit(sb.ToString(), output.Length > 0 ? output : null);
        return 0;
    }
}
