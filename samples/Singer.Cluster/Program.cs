// Singer.Cluster: the exact semantic graph built across Microsoft Orleans silos (docs/scale-out.md, README.md beside this file).
//
//   Singer.Cluster silo   --instance N [--base-port P] [--feature-root DIR] [--threads T] [--redis CONNECTION [--kubernetes]]
//   Singer.Cluster client [--data DIR | --generated] [--items N --dim D] [--silos S] [--base-port P] [--redis CONNECTION]
//                         [--verify] [--train-epochs E]
//   Singer.Cluster generate --items N --dim D --out FILE.npy [--seed S]
//   Singer.Cluster bench local   --features FILE.npy [--repeat R]
//   Singer.Cluster bench inproc  --features FILE.npy [--silos S] [--repeat R]
//   Singer.Cluster bench cluster --features FILE.npy [--silos S] [--base-port P] [--repeat R]
//
// Localhost clustering (the default): silo N listens on P + N (silo-to-silo) and P + 100 + N (gateway for clients);
// silo 0 is the primary the others join. The client connects to the gateways of silos 0 … S-1. P defaults to 11111.
// With --redis the membership lives in Redis (Microsoft.Orleans.Clustering.Redis) and silos may run on several
// machines; with --kubernetes as well, a pod's name, address and the cluster ids come from Kubernetes (docs/scale-out.md).
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Singer.Recommendation;
using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;
using Singer.Recommendation.Orleans;

var options = Args.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("Usage: Singer.Cluster silo|client|generate|bench … (see the top of Program.cs or README.md)");
    return 2;
}

try
{
    return options.Verb switch
    {
        "silo" => await Silo.RunAsync(options),
        "client" => await Client.RunAsync(options),
        "generate" => Generate(options),
        "bench" => await Bench.RunAsync(options),
        _ => 2,
    };
}
catch (Exception e) when (e is FeatureSourceException or GraphOptionsException or ClusterJobException or DataFormatException or FileNotFoundException)
{
    Console.Error.WriteLine($"Singer.Cluster: {e.Message}");
    return 1;
}

static int Generate(Args o)
{
    string path = o.Out ?? throw new ArgumentException("generate needs --out FILE.npy");
    var features = Catalogue.RandomFeatures(o.Items, o.Dimension, o.Seed);
    NpyFile.Write(path, features);
    Console.WriteLine($"Wrote {o.Items:N0} × {o.Dimension} random features to {path}.");
    return 0;
}

/// <summary>A silo: Generic Host + UseOrleans, running the Singer work items.</summary>
internal static class Silo
{
    /// <summary>The ids of the demo cluster when its membership is in Redis (Kubernetes hosting takes them from the pod).</summary>
    public const string ClusterId = "singer-graphs";

    /// <summary>The service id, see <see cref="ClusterId"/>.</summary>
    public const string ServiceId = "singer";

    public static async Task<int> RunAsync(Args o)
    {
        if (o.Kubernetes && o.Redis is null)
        {
            Console.Error.WriteLine("--kubernetes needs a membership provider: add --redis CONNECTION (docs/scale-out.md).");
            return 2;
        }

        if (o.Threads is { } threads)
        {
            TorchSharp.torch.set_num_threads(threads);
        }

        var builder = Host.CreateApplicationBuilder();
        // Orleans' start-up notes (ServerGC, the first watchdog check) are warnings; the demo shows errors only.
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans.Runtime", LogLevel.Error).AddFilter("Singer", LogLevel.Information);
        builder.UseOrleans(silo =>
        {
            if (o.Redis is { } redis)
            {
                // Membership in Redis: silos on any number of machines find each other there.
                silo.UseRedisClustering(redis);
                if (o.Kubernetes)
                {
                    // In a pod: name, IP, ports and the cluster/service ids from the Deployment (docs/scale-out.md).
                    silo.UseKubernetesHosting();
                }
                else
                {
                    silo.Configure<ClusterOptions>(c => (c.ClusterId, c.ServiceId) = (ClusterId, ServiceId));
                    silo.ConfigureEndpoints(o.BasePort + o.Instance, o.BasePort + 100 + o.Instance);
                }
            }
            else
            {
                // The demo on one machine: silo 0 is the primary; the others find the cluster through it.
                silo.UseLocalhostClustering(
                    siloPort: o.BasePort + o.Instance,
                    gatewayPort: o.BasePort + 100 + o.Instance,
                    primarySiloEndpoint: new IPEndPoint(IPAddress.Loopback, o.BasePort));
            }

            silo.AddSingerRecommendationWorkers(w => w.FeatureRoot = o.FeatureRoot);
        });

        using var host = builder.Build();
        await host.StartAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Silo {o.Instance} is up (silo port {o.BasePort + o.Instance}, gateway {o.BasePort + 100 + o.Instance}, torch threads {TorchSharp.torch.get_num_threads()}). Ctrl+C stops it."));
        await host.WaitForShutdownAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Silo {o.Instance} stopped; peak memory {Memory.PeakMiB():N0} MiB, {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F1} CPU seconds."));
        return 0;
    }
}

/// <summary>The client: builds the semantic graph of ml100k (or a generated catalogue) across the silos.</summary>
internal static class Client
{
    public static async Task<int> RunAsync(Args o)
    {
        using var host = await ConnectAsync(o.BasePort, o.Silos, o.Redis);
        var cluster = host.Services.GetRequiredService<IClusterClient>();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Singer.Cluster");
        var (data, features, folder) = Catalogue.Load(o);
        Console.WriteLine($"Data: {data}");
        var graphOptions = new SemanticGraphOptions();
        var progress = new Progress<ClusterJobProgress>(p =>
        {
            if (p.CompletedWorkItems == p.TotalWorkItems || p.ReissuedWorkItems > 0)
            {
                Console.WriteLine($"  {p}");
            }
        });

        var clock = Stopwatch.StartNew();
        var semanticGraph = await OrleansSemanticGraph.BuildAsync(cluster, data, features, graphOptions, null, progress, logger);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Semantic graph built across the cluster in {clock.Elapsed.TotalSeconds:F2} s."));
        foreach (string m in semanticGraph.Modalities)
        {
            Console.WriteLine($"  {semanticGraph.Statistics(m)}");
            Console.WriteLine($"  '{m}' kNN graph sha256 {Hash.Of(semanticGraph.ModalityGraph(m))}");
        }

        if (o.Verify)
        {
            clock.Restart();
            var local = SemanticGraph.Build(data, graphOptions);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Single-machine build: {clock.Elapsed.TotalSeconds:F2} s."));
            foreach (string m in semanticGraph.Modalities)
            {
                var difference = SparseGraph.Compare(local[m], semanticGraph[m], 1e-6f);
                bool same = local.ModalityGraph(m).ColumnIndices.SequenceEqual(semanticGraph.ModalityGraph(m).ColumnIndices) && difference.IsEmpty;
                Console.WriteLine(same
                    ? $"  '{m}': identical to the single-machine graph (same neighbours, weights within 1e-6)."
                    : $"  '{m}': DIFFERS from the single-machine graph: {difference}");
                if (!same)
                {
                    return 1;
                }
            }
        }

        if (o.TrainEpochs > 0)
        {
            using var model = SingerModelBuilder.Singer(data)
                .UsePrebuiltSemanticGraph(semanticGraph)
                .WithTraining(t => t.MaxEpochs(o.TrainEpochs))
                .WithSeed(42)
                .Build();
            var report = model.Fit();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"SINGER trained on the cluster-built graph for {report.Epochs.Count} epochs: test Recall@20 {report.Test?.Recall(20):F4}."));
        }

        if (folder is not null)
        {
            Directory.Delete(folder, recursive: true);
        }

        await host.StopAsync();
        return 0;
    }

    public static async Task<IHost> ConnectAsync(int basePort, int silos, string? redis = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Singer", LogLevel.Information);
        var gateways = Enumerable.Range(0, silos).Select(i => basePort + 100 + i).ToArray();
        builder.UseOrleansClient(client =>
        {
            if (redis is not null)
            {
                // The gateways are listed in Redis by the silos themselves.
                client.UseRedisClustering(redis).Configure<ClusterOptions>(c => (c.ClusterId, c.ServiceId) = (Silo.ClusterId, Silo.ServiceId));
            }
            else
            {
                client.UseLocalhostClustering(gateways);
            }
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}

/// <summary>The demo's data: ml100k from its MMRec folder, or a generated catalogue written to a temporary folder.</summary>
internal static class Catalogue
{
    public static (InteractionDataset Data, IReadOnlyList<FeatureSource> Features, string? TempFolder) Load(Args o)
    {
        string? folder = o.Generated ? null : o.Data ?? FindMl100k();
        if (folder is not null)
        {
            var data = MmrecDatasetLoader.Load(folder);
            // The silos read the feature files themselves (here the same machine's disk stands for a shared volume).
            var sources = data.Modalities.Select(m => (FeatureSource)FeatureSource.FromNpy(Path.GetFullPath(Path.Combine(folder, m.Name + "_feat.npy")), m.Name)).ToArray();
            return (data, sources, null);
        }

        Console.WriteLine($"{(o.Generated ? "--generated" : "../shared/data/ml100k not found")}: a generated catalogue of {o.Items:N0} items × {o.Dimension}-d text features.");
        var generated = SyntheticDataGenerator.Generate(new SyntheticDataOptions
        {
            Users = Math.Max(100, o.Items / 2),
            Items = o.Items,
            Interactions = o.Items * 10,
            TextDimension = o.Dimension,
            ImageDimension = 16,
        }).SelectModalities(["text"]);
        string temp = Path.Combine(Path.GetTempPath(), $"singer-cluster-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        string path = Path.Combine(temp, "text_feat.npy");
        NpyFile.Write(path, generated.GetModality("text"));
        return (generated, [FeatureSource.FromNpy(path)], temp);
    }

    public static ItemModality RandomFeatures(int items, int dimension, int seed)
    {
        var random = new Random(seed);
        var values = new float[(long)items * dimension];
        for (long i = 0; i < values.LongLength; i++)
        {
            values[i] = (float)random.NextDouble() - 0.5f;
        }

        return new ItemModality("text", items, dimension, values, takeOwnership: true);
    }

    private static string? FindMl100k()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data", "ml100k");
            if (File.Exists(Path.Combine(candidate, "ml100k.inter")))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>
/// Benchmark mode (docs/scale-out.md): the kNN graph (k = 10) of one feature file on one machine, on silos inside this
/// process, or on running silo processes. Prints seconds per build, the graph's hash (equal hashes: the same graph),
/// this process's CPU seconds and peak memory.
/// </summary>
internal static class Bench
{
    public static async Task<int> RunAsync(Args o)
    {
        string path = Path.GetFullPath(o.Features ?? throw new ArgumentException("bench needs --features FILE.npy"));
        Console.WriteLine($"bench {o.Mode}: {path}, torch threads {TorchSharp.torch.get_num_threads()}, {Environment.ProcessorCount} cores");
        string hash = "";
        switch (o.Mode)
        {
            case "local":
                var features = NpyFile.ReadModality(path, "text");
                for (int r = 0; r < o.Repeat; r++)
                {
                    var (seconds, cpu) = Measure(() => hash = Hash.Of(KnnSimilarityGraph.Build(features)));
                    Report(o.Mode, r, seconds, cpu, hash, [Memory.PeakMiB()]);
                }

                return 0;
            case "inproc":
            case "cluster":
                var silos = new List<IHost>();
                for (int i = 0; o.Mode == "inproc" && i < o.Silos; i++)
                {
                    var builder = Host.CreateApplicationBuilder();
                    builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans.Runtime", LogLevel.Error);
                    int instance = i;
                    builder.UseOrleans(silo => silo
                        .UseLocalhostClustering(o.BasePort + instance, o.BasePort + 100 + instance, new IPEndPoint(IPAddress.Loopback, o.BasePort))
                        .AddSingerRecommendationWorkers());
                    var host = builder.Build();
                    await host.StartAsync();
                    silos.Add(host);
                }

                using (var client = await Client.ConnectAsync(o.BasePort, o.Silos))
                {
                    var cluster = client.Services.GetRequiredService<IClusterClient>();
                    for (int r = 0; r < o.Repeat; r++)
                    {
                        // CPU seconds of every process involved: this one, and each silo process (asked through a grain).
                        var before = o.Mode == "cluster" ? await SiloStats.AllAsync(cluster) : [];
                        ClusterJobProgress last = default;
                        var graph = default(SparseGraph);
                        var (seconds, cpu) = await MeasureAsync(async () => graph = await OrleansSemanticGraph.BuildKnnGraphAsync(
                            cluster, FeatureSource.FromNpy(path), progress: new Sync(p => last = p)));
                        var after = o.Mode == "cluster" ? await SiloStats.AllAsync(cluster) : [];
                        hash = Hash.Of(graph!);
                        Console.WriteLine($"  {last}");
                        double silosCpu = after.Sum(a => a.CpuSeconds) - before.Sum(b => b.CpuSeconds);
                        Report(o.Mode, r, seconds, cpu + silosCpu, hash, o.Mode == "cluster" ? after.Select(a => a.PeakMiB).ToArray() : [Memory.PeakMiB()]);
                    }

                    await client.StopAsync();
                }

                foreach (var silo in silos)
                {
                    await silo.StopAsync();
                    silo.Dispose();
                }

                return 0;
            default:
                Console.Error.WriteLine("bench needs a mode: local, inproc or cluster.");
                return 2;
        }
    }

    private static void Report(string mode, int run, double seconds, double cpuSeconds, string hash, double[] peakMiB) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT mode={mode} run={run + 1} seconds={seconds:F2} cpu_seconds={cpuSeconds:F1} peak_mib={string.Join("/", peakMiB.Select(p => p.ToString("F0", CultureInfo.InvariantCulture)))} sha256={hash}"));

    private static (double Seconds, double CpuSeconds) Measure(Action action)
    {
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        action();
        double seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        return (seconds, (process.TotalProcessorTime - cpu).TotalSeconds);
    }

    private static async Task<(double Seconds, double CpuSeconds)> MeasureAsync(Func<Task> action)
    {
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await action();
        double seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        return (seconds, (process.TotalProcessorTime - cpu).TotalSeconds);
    }

    private sealed class Sync(Action<ClusterJobProgress> report) : IProgress<ClusterJobProgress>
    {
        public void Report(ClusterJobProgress value) => report(value);
    }
}

/// <summary>Each silo process's CPU time and peak memory, for the benchmark (the sample's own grain).</summary>
internal interface ISiloStatsGrain : IGrainWithStringKey
{
    Task<ProcessStats> GetAsync();
}


[GenerateSerializer]
internal readonly record struct ProcessStats([property: Id(0)] double CpuSeconds, [property: Id(1)] double PeakMiB, [property: Id(2)] double SystemSeconds);

internal sealed class SiloStatsGrain : Grain, ISiloStatsGrain
{
    public Task<ProcessStats> GetAsync()
    {
        DeactivateOnIdle();
        var process = Process.GetCurrentProcess();
        return Task.FromResult(new ProcessStats(process.TotalProcessorTime.TotalSeconds, Memory.PeakMiB(), process.PrivilegedProcessorTime.TotalSeconds));
    }
}

internal static class SiloStats
{
    /// <summary>Asks every active silo, placing one activation on each through the runtime's placement hint.</summary>
    public static async Task<ProcessStats[]> AllAsync(IClusterClient cluster)
    {
        var hosts = await cluster.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        var stats = new List<ProcessStats>();
        foreach (var silo in hosts.Keys.OrderBy(s => s.ToString(), StringComparer.Ordinal))
        {
            RequestContext.Set(Orleans.Runtime.Placement.IPlacementDirector.PlacementHintKey, silo);
            var call = cluster.GetGrain<ISiloStatsGrain>($"{silo}/{Guid.NewGuid():N}").GetAsync();
            RequestContext.Remove(Orleans.Runtime.Placement.IPlacementDirector.PlacementHintKey);
            stats.Add(await call);
        }

        return stats.ToArray();
    }
}

internal static class Hash
{
    /// <summary>A SHA-256 of the CSR arrays: equal hashes, identical graphs (bit for bit).</summary>
    public static string Of(SparseGraph graph)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(MemoryMarshal.AsBytes(graph.RowOffsets));
        sha.AppendData(MemoryMarshal.AsBytes(graph.ColumnIndices));
        sha.AppendData(MemoryMarshal.AsBytes(graph.Values));
        return Convert.ToHexString(sha.GetHashAndReset())[..16].ToLowerInvariant();
    }
}

internal static class Memory
{
    /// <summary>This process's peak resident memory (VmHWM on Linux; the peak working set elsewhere), in MiB.</summary>
    public static double PeakMiB()
    {
        if (File.Exists("/proc/self/status"))
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return double.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
                }
            }
        }

        return Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024);
    }
}

/// <summary>The command line.</summary>
internal sealed record Args(string Verb)
{
    public string? Mode { get; init; }
    public int Instance { get; init; }
    public int BasePort { get; init; } = 11111;
    public int Silos { get; init; } = 2;
    public string? FeatureRoot { get; init; }
    public int? Threads { get; init; }
    public bool Kubernetes { get; init; }
    public string? Redis { get; init; }
    public string? Data { get; init; }
    public int Items { get; init; } = 50_000;
    public int Dimension { get; init; } = 384;
    public bool Verify { get; init; }
    public bool Generated { get; init; }
    public int TrainEpochs { get; init; }
    public string? Out { get; init; }
    public int Seed { get; init; } = 42;
    public string? Features { get; init; }
    public int Repeat { get; init; } = 2;

    public static Args? Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("silo" or "client" or "generate" or "bench"))
        {
            return null;
        }

        var o = new Args(args[0]);
        int start = 1;
        if (o.Verb == "bench" && args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal))
        {
            o = o with { Mode = args[1] };
            start = 2;
        }

        for (int a = start; a < args.Length; a++)
        {
            string name = args[a];
            string Value() => a + 1 < args.Length ? args[++a] : throw new ArgumentException($"{name} needs a value.");
            int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
            o = name switch
            {
                "--instance" => o with { Instance = Int() },
                "--base-port" => o with { BasePort = Int() },
                "--silos" => o with { Silos = Int() },
                "--feature-root" => o with { FeatureRoot = Value() },
                "--threads" => o with { Threads = Int() },
                "--kubernetes" => o with { Kubernetes = true },
                "--redis" => o with { Redis = Value() },
                "--data" => o with { Data = Value() },
                "--items" => o with { Items = Int() },
                "--dim" => o with { Dimension = Int() },
                "--verify" => o with { Verify = true },
                "--generated" => o with { Generated = true },
                "--train-epochs" => o with { TrainEpochs = Int() },
                "--out" => o with { Out = Value() },
                "--seed" => o with { Seed = Int() },
                "--features" => o with { Features = Value() },
                "--repeat" => o with { Repeat = Int() },
                _ => throw new ArgumentException($"Unknown argument '{name}'."),
            };
        }

        return o;
    }
}
