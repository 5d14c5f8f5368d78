using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Singer.Recommendation.Benchmarks;

/// <summary>The configuration every benchmark of this project runs with: managed allocations, peak resident memory, throughput.</summary>
public static class BenchmarkConfig
{
    /// <summary>
    /// The default config with one default job — one launch, one warm-up and five measured iterations of one invocation
    /// each (<see cref="RunStrategy.Monitoring"/>; the operations take milliseconds to minutes) — plus the MemoryDiagnoser
    /// and this project's columns. Command-line options (<c>--inProcess</c>, <c>--iterationCount</c>, …) modify that job.
    /// Throughput and the share of the GEMM rate are computed from the Min of each case: on a shared machine other
    /// processes only ever add time, so the fastest iteration is the least disturbed one.
    /// </summary>
    /// <param name="inProcess">Run the benchmarks in this process (no SDK needed), with a 3-hour limit per benchmark.</param>
    public static IConfig Create(bool inProcess = false)
    {
        PeakMemory.Clear();
        var job = Job.Default
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(5);
        if (inProcess)
        {
            job = job.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromHours(3), logOutput: true));
        }

        job = job.AsDefault();
        return DefaultConfig.Instance
            .AddJob(job)
            .AddColumn(StatisticColumn.Min)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(new ThroughputColumn(), new MatMulShareColumn(), new CpuTimeColumn(share: false), new CpuTimeColumn(share: true),
                new PeakMemoryColumn(delta: false), new PeakMemoryColumn(delta: true))
            .WithOption(ConfigOptions.DisableOptimizationsValidator, false);
    }

    internal static string CaseKey(BenchmarkCase benchmarkCase) =>
        CaseKey(benchmarkCase.Descriptor.WorkloadMethod.Name, benchmarkCase.Parameters.Items.Select(p => (p.Name, (object?)p.Value)));

    /// <summary>The key a benchmark method records its peak under: method and parameters, sorted by name.</summary>
    public static string CaseKey(string method, IEnumerable<(string Name, object? Value)> parameters) =>
        method + ";" + string.Join(";", parameters.OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name}={p.Value}")));
}

/// <summary>GFLOP/s of the similarity products, 2·N²·D over the fastest iteration (for cases with N and D parameters).</summary>
internal sealed class ThroughputColumn : IColumn
{
    public string Id => "SimilarityGflops";
    public string ColumnName => "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "2·N²·D floating-point operations of the similarity products divided by the fastest iteration (Min)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is not { } stats || benchmarkCase.Parameters["N"] is not int n || benchmarkCase.Parameters["D"] is not int d)
        {
            return "-";
        }

        return (Workloads.Flops(n, d) / stats.Min).ToString("F1", CultureInfo.InvariantCulture);
    }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
}

/// <summary>The matrix-multiply-only Min time of the same parameters over this case's Min time: the share of the machine's GEMM rate reached.</summary>
internal sealed class MatMulShareColumn : IColumn
{
    public string Id => "MatMulShare";
    public string ColumnName => "Share of mm rate";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 1;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Min time of MatMulOnly (same parameters) / this Min time: the fraction of the machine's own matrix-multiply throughput";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var baseline = summary.BenchmarksCases.FirstOrDefault(c =>
            c.Descriptor.WorkloadMethod.Name == nameof(SimilarityBenchmarks.MatMulOnly)
            && c.Descriptor.Type == benchmarkCase.Descriptor.Type
            && c.Parameters.DisplayInfo == benchmarkCase.Parameters.DisplayInfo);
        if (baseline is null || summary[baseline]?.ResultStatistics is not { } b || summary[benchmarkCase]?.ResultStatistics is not { } s)
        {
            return "-";
        }

        return (b.Min / s.Min).ToString("P0", CultureInfo.InvariantCulture);
    }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
}

/// <summary>Peak resident memory of a case (Linux VmHWM, reset before each invocation), absolute or above the resident set before it.</summary>
internal sealed class PeakMemoryColumn(bool delta) : IColumn
{
    public string Id => delta ? "PeakRssDelta" : "PeakRss";
    public string ColumnName => delta ? "Peak RSS Δ" : "Peak RSS";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => delta ? 3 : 2;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Size;
    public string Legend => delta
        ? "Largest growth of the resident set during one invocation (native memory included)"
        : "Largest resident set during one invocation (the whole process, native memory included)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var recorded = PeakMemory.Recorded(BenchmarkConfig.CaseKey(benchmarkCase));
        if (recorded is not { } r)
        {
            return "-";
        }

        long bytes = delta ? r.Delta : r.Peak;
        return (bytes / 1048576.0).ToString("N0", CultureInfo.InvariantCulture) + " MB";
    }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => PeakMemory.Available;
}

/// <summary>
/// The smallest process CPU time (user + system, all threads) of one invocation, or MatMulOnly's over this case's: the
/// share of the GEMM's work rate. Other processes on a shared machine disturb CPU time far less than wall time (run with
/// OMP_WAIT_POLICY=PASSIVE so that waiting BLAS threads sleep instead of spinning).
/// </summary>
internal sealed class CpuTimeColumn(bool share) : IColumn
{
    public string Id => share ? "CpuShare" : "CpuTime";
    public string ColumnName => share ? "Share of mm (CPU)" : "CPU time";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => share ? 5 : 4;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => share
        ? "MatMulOnly's smallest CPU time (same parameters) / this case's smallest CPU time"
        : "Smallest process CPU time (user + system, all threads) of one invocation";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? own = PeakMemory.RecordedCpu(BenchmarkConfig.CaseKey(benchmarkCase));
        if (own is not { } o)
        {
            return "-";
        }

        if (!share)
        {
            return o.ToString(o < 1 ? "F3" : "F2", CultureInfo.InvariantCulture) + " s";
        }

        var baseline = summary.BenchmarksCases.FirstOrDefault(c =>
            c.Descriptor.WorkloadMethod.Name == nameof(SimilarityBenchmarks.MatMulOnly)
            && c.Descriptor.Type == benchmarkCase.Descriptor.Type
            && c.Parameters.DisplayInfo == benchmarkCase.Parameters.DisplayInfo);
        return baseline is not null && PeakMemory.RecordedCpu(BenchmarkConfig.CaseKey(baseline)) is { } b
            ? (b / o).ToString("P0", CultureInfo.InvariantCulture)
            : "-";
    }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
}
