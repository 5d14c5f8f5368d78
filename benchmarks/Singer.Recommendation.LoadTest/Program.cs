// Loopback load generator for samples/Singer.WebApi (docs/benchmarks.md, "Serving load").
//
//   dotnet run -c Release --project benchmarks/Singer.Recommendation.LoadTest -- --clients 50 --seconds 60
//
// It trains a SINGER model on the synthetic data (or loads --model FILE; a FILE that does not exist is trained and
// kept), starts the built web sample as a child
// process on a free loopback port, waits for /health, then runs N concurrent clients for T seconds after a warm-up:
// 90 % GET /users/{id}/recommendations?k=20 and 10 % GET /items/{id}/similar?k=10 with random known ids. Every
// request has a 10 s timeout and the run has a hard end, so it always terminates. It prints requests per second,
// latency percentiles, errors and the service's peak resident memory (Linux VmHWM). With --auth on (the default)
// the service gets a fresh random API key through its environment, reads require it, and every request carries it
// (X-Api-Key), so the authentication handler is on the measured path; --auth off sends no key. The per-client rate
// limiter is on the path either way, set far above the load (all clients share one address), so nothing is refused.
//
//   dotnet run -c Release --project benchmarks/Singer.Recommendation.LoadTest -- soak --rounds 20 --epochs 10 --calls 5000
//
// is the memory soak instead (Soak.cs): many training epochs and engine calls, checking that live tensors and the
// managed heap do not grow.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Singer.Recommendation;
using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;

if (args is ["soak", ..])
{
    return Soak.Run(args);
}

int clients = Option("--clients", 50);
int seconds = Option("--seconds", 60);
int warmup = Option("--warmup", 5);
string? modelPath = OptionText("--model");
string webApi = OptionText("--webapi") ?? FindWebApi();
bool auth = (OptionText("--auth") ?? "on") != "off";
string apiKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

string? tempModel = null;
if (modelPath is null || !File.Exists(modelPath))
{
    // --model FILE that does not exist yet: train once and keep the file for the next runs.
    modelPath ??= tempModel = Path.Combine(Path.GetTempPath(), $"singer-load-{Guid.NewGuid():N}.singer");
    var data = SyntheticDataGenerator.Generate();
    Console.WriteLine($"Training SINGER on the synthetic data ({data.UserCount:N0} users, {data.ItemCount:N0} items, {data.Train.Count:N0} training interactions), 5 epochs…");
    using var trained = SingerModelBuilder.Singer(data).UseSemanticGraph(k: 10, coInteractionK: 10)
        .WithTraining(t => t.MaxEpochs(5).EmbeddingSize(64).BatchSize(2048)).WithSeed(1).Build();
    trained.Fit();
    trained.Save(modelPath);
}

string[] users, items;
using (var model = SingerModel.Load(modelPath))
{
    users = [.. model.Dataset.Users.Ids];
    items = [.. model.Dataset.Items.Ids];
}

int port = FreePort();
var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
info.ArgumentList.Add(webApi);
info.Environment["Singer__ModelPath"] = modelPath;
info.Environment["Urls"] = $"http://127.0.0.1:{port}";
info.Environment["Logging__LogLevel__Default"] = "Warning";
// The rate limiter is always on the path, set far above the load: every client shares one loopback address (or one
// key), and the point is to measure its cost, not to be refused.
info.Environment["Singer__RateLimit__PermitsPerSecond"] = "1000000";
info.Environment["Singer__RateLimit__Burst"] = "1000000";
if (auth)
{
    info.Environment["Singer__ApiKeys__0__Name"] = "load-generator";
    info.Environment["Singer__ApiKeys__0__Key"] = apiKey;
    info.Environment["Singer__ApiKeys__0__Scopes__0"] = "read";
    info.Environment["Singer__ReadsRequireKey"] = "true";
}
using var service = Process.Start(info)!;
service.OutputDataReceived += (_, _) => { };
service.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[service] {e.Data}"); };
service.BeginOutputReadLine();
service.BeginErrorReadLine();

using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
using var http = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
if (auth)
{
    http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
}
try
{
    var ready = Stopwatch.StartNew();
    while (true)
    {
        if (service.HasExited)
        {
            throw new InvalidOperationException($"The service exited with code {service.ExitCode} before it was ready.");
        }

        try
        {
            using var health = await http.GetAsync("/health");
            if (health.IsSuccessStatusCode)
            {
                break;
            }
        }
        catch (HttpRequestException)
        {
        }

        if (ready.Elapsed > TimeSpan.FromMinutes(2))
        {
            throw new TimeoutException("The service did not answer /health within 2 minutes.");
        }

        await Task.Delay(200);
    }

    Console.WriteLine($"Service {webApi} ready on port {port} after {ready.Elapsed.TotalSeconds:F1} s; {users.Length:N0} users, {items.Length:N0} items.");
    Console.WriteLine($"Load: {clients} clients, {warmup} s warm-up, then {seconds} s measured (90 % recommendations k=20, 10 % similar items k=10); API key {(auth ? "required and sent" : "off")}, rate limiter on (not limiting).");

    var start = Stopwatch.GetTimestamp();
    long measureFrom = start + (long)(warmup * (double)Stopwatch.Frequency);
    long end = measureFrom + (long)(seconds * (double)Stopwatch.Frequency);
    var workers = Enumerable.Range(0, clients).Select(w => Task.Run(async () =>
    {
        var random = new Random(w);
        var latencies = new List<double>(1 << 14);
        long errors = 0, total = 0;
        while (true)
        {
            long t0 = Stopwatch.GetTimestamp();
            if (t0 >= end)
            {
                break;
            }

            string path = random.Next(10) == 0
                ? $"/items/{Uri.EscapeDataString(items[random.Next(items.Length)])}/similar?k=10"
                : $"/users/{Uri.EscapeDataString(users[random.Next(users.Length)])}/recommendations?k=20";
            bool ok;
            try
            {
                using var response = await http.GetAsync(path);
                await response.Content.ReadAsByteArrayAsync();
                ok = response.StatusCode == HttpStatusCode.OK;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                ok = false;
            }

            long t1 = Stopwatch.GetTimestamp();
            if (t0 >= measureFrom)
            {
                total++;
                latencies.Add((t1 - t0) * 1000.0 / Stopwatch.Frequency);
                errors += ok ? 0 : 1;
            }
        }

        return (Latencies: latencies, Errors: errors, Total: total);
    })).ToArray();
    var results = await Task.WhenAll(workers);

    var all = results.SelectMany(r => r.Latencies).Order().ToArray();
    long requests = results.Sum(r => r.Total), failed = results.Sum(r => r.Errors);
    double P(double q) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)Math.Ceiling(q * all.Length) - 1)];
    long peak = PeakResident(service.Id);
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"requests {requests:N0} in {seconds} s = {requests / (double)seconds:N0} requests/s; latency p50 {P(0.50):F2} ms, p90 {P(0.90):F2} ms, p99 {P(0.99):F2} ms, max {all.LastOrDefault():F1} ms; errors {failed:N0}; service peak resident memory {(peak < 0 ? "n/a" : $"{peak / (1 << 20):N0} MiB")}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {clients} | {(auth ? "on" : "off")} | {seconds} s | {requests:N0} | {requests / (double)seconds:N0} | {P(0.50):F2} | {P(0.99):F2} | {all.LastOrDefault():F1} | {failed:N0} | {(peak < 0 ? "n/a" : (peak / (1 << 20)).ToString("N0", CultureInfo.InvariantCulture))} |"));
    return failed == 0 ? 0 : 1;
}
finally
{
    if (!service.HasExited)
    {
        service.Kill(entireProcessTree: true);
    }

    await service.WaitForExitAsync();
    if (tempModel is not null)
    {
        File.Delete(tempModel);
    }
}

int Option(string name, int fallback) => OptionText(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

string? OptionText(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static int FreePort()
{
    using var socket = new TcpListener(IPAddress.Loopback, 0);
    socket.Start();
    return ((IPEndPoint)socket.LocalEndpoint).Port;
}

static string FindWebApi()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        foreach (string configuration in new[] { "Release", "Debug" })
        {
            string candidate = Path.Combine(dir.FullName, "samples", "Singer.WebApi", "bin", configuration, "net10.0", "Singer.WebApi.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
    }

    throw new FileNotFoundException("Build samples/Singer.WebApi first (dotnet build -c Release), or pass --webapi PATH/Singer.WebApi.dll.");
}

static long PeakResident(int pid)
{
    try
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }
    }
    catch (IOException)
    {
    }

    return -1;
}
