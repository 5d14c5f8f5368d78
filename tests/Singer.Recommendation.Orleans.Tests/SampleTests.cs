using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Singer.Recommendation.Testing;

namespace Singer.Recommendation.Orleans.Tests;

/// <summary>samples/Singer.Cluster runs as its README says: two silo processes and a client on one machine.</summary>
[Collection(ClusterGroup.Name)]
public sealed class SampleTests
{
    [Fact]
    public async Task Two_silo_processes_and_the_client_build_the_single_machine_graph()
    {
        // tests/<project>/bin/<configuration>/<framework>/ → the sample's output for the same configuration.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string sample = Path.Combine(Repository.Root, "samples", "Singer.Cluster", "bin", output.Parent!.Name, output.Name, "Singer.Cluster.dll");
        File.Exists(sample).Should().BeTrue($"the sample is built with the tests ({sample})");
        int basePort = FreeBasePort();
        var silos = new List<(Process Process, StringBuilder Output)>();
        try
        {
            for (int i = 0; i < 2; i++)
            {
                silos.Add(Start(sample, $"silo --instance {i} --base-port {basePort}"));
            }

            foreach (var (process, text) in silos)
            {
                await WaitForAsync(() => text.ToString().Contains("is up", StringComparison.Ordinal), process, text);
            }

            var (client, log) = Start(sample, $"client --generated --items 2000 --dim 48 --base-port {basePort} --silos 2 --verify");
            (await client.WaitForExitAsync().WaitAsync(Clusters.Deadline).ContinueWith(t => t.IsCompletedSuccessfully)).Should().BeTrue("the client finishes");
            client.ExitCode.Should().Be(0, log.ToString());
            log.ToString().Should().Contain("Semantic graph built across the cluster").And.Contain("'text': identical to the single-machine graph");
        }
        finally
        {
            foreach (var (process, _) in silos)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                process.Dispose();
            }
        }
    }

    private static (Process Process, StringBuilder Output) Start(string dll, string arguments)
    {
        var info = new ProcessStartInfo("dotnet", $"\"{dll}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["OMP_NUM_THREADS"] = "1";
        var output = new StringBuilder();
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, output);
    }

    private static async Task WaitForAsync(Func<bool> condition, Process process, StringBuilder output)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            process.HasExited.Should().BeFalse($"the silo is running:{Environment.NewLine}{output}");
            clock.Elapsed.Should().BeLessThan(Clusters.Deadline, $"the silo starts:{Environment.NewLine}{output}");
            await Task.Delay(100);
        }
    }

    /// <summary>A base port P with P, P + 1, P + 100 and P + 101 free on the loopback.</summary>
    private static int FreeBasePort()
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            int port = Random.Shared.Next(20_000, 40_000);
            if (new[] { port, port + 1, port + 100, port + 101 }.All(IsFree))
            {
                return port;
            }
        }

        throw new InvalidOperationException("No free ports for the sample's silos.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
