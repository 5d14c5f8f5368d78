using System.Diagnostics;
using System.Text.Json;
using Singer.Recommendation.Core;
using Xunit.Abstractions;

namespace Singer.Recommendation.Cli.Tests;

/// <summary>
/// Crash safety of checkpoints: <c>singer train --checkpoint</c> runs as a child process and is killed (SIGKILL) several
/// times, preferably while it writes a checkpoint. After every kill the previous checkpoint still loads, and the run
/// resumed to the end reaches exactly the metrics of an uninterrupted run with the same seed.
/// </summary>
public sealed class CrashSafetyTests(ITestOutputHelper output) : IDisposable
{
    private const int Epochs = 5;

    // Big enough that writing a checkpoint (weights, current parameters, Adam moments: ~3 MB) takes a few milliseconds.
    private readonly MmrecFolder _folder = new(new SyntheticDataOptions
    {
        Users = 1_000, Items = 600, Interactions = 12_000, Clusters = 6, ImageDimension = 8, TextDimension = 4, Seed = 9,
    });

    public void Dispose() => _folder.Dispose();

    private string[] Arguments(string checkpoint, string output) =>
        ["train", "--data", _folder.Path, "--model", "lightgcn", "--embedding-size", "64", "--batch-size", "2048", "--epochs", $"{Epochs}",
         "--patience", "100", "--seed", "4", "--checkpoint", checkpoint, "--out", output, "--json"];

    [Fact]
    public void Killing_the_trainer_while_it_writes_checkpoints_never_loses_the_previous_one()
    {
        string checkpoint = Path.Combine(_folder.Path, "run.ckpt");
        string cli = Path.Combine(AppContext.BaseDirectory, "Singer.Recommendation.Cli.dll");
        File.Exists(cli).Should().BeTrue("the test runs the built CLI as a child process");

        int kills = 0, midWrite = 0;
        long? lastEpoch = null;
        for (int attempt = 0; attempt < 6 && kills < 4; attempt++)
        {
            // Kill at the (attempt % 3 + 1)-th checkpoint write this run starts, or when that never comes, after a while.
            int killAtWrite = (attempt % 3) + 1;
            using var child = Start(cli, Arguments(checkpoint, Path.Combine(_folder.Path, "killed.singer")), out _, out var childErrors);
            var leftovers = TempFiles(checkpoint).ToHashSet();
            int writesSeen = 0;
            bool killed = false;
            var clock = Stopwatch.StartNew();
            while (!child.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3))
            {
                var fresh = TempFiles(checkpoint).Where(f => !leftovers.Contains(f)).ToArray();
                if (fresh.Length > 0)
                {
                    leftovers.UnionWith(fresh);
                    if (++writesSeen == killAtWrite)
                    {
                        child.Kill(entireProcessTree: true);
                        killed = true;
                        break;
                    }
                }

                Thread.Sleep(1);
            }

            child.WaitForExit();
            if (!killed)
            {
                // The run finished before the chosen write (all epochs done): nothing to kill this time.
                child.ExitCode.Should().Be(0, childErrors.ToString());
                break;
            }

            kills++;
            // A temporary file left behind proves that the kill hit the write itself.
            midWrite += TempFiles(checkpoint).Length > 0 ? 1 : 0;
            foreach (string f in TempFiles(checkpoint))
            {
                File.Delete(f);
            }

            if (File.Exists(checkpoint))
            {
                // The checkpoint in place is complete: it loads as a model, and its epoch never goes backwards.
                using var model = SingerModel.Load(checkpoint);
                model.ItemCount.Should().BeGreaterThan(0);
                long epoch = CheckpointEpoch(checkpoint);
                epoch.Should().BeGreaterThanOrEqualTo(lastEpoch ?? 0);
                lastEpoch = epoch;
            }
        }

        // Resume to the end, uninterrupted, and compare with a run that was never killed.
        using (var resume = Start(cli, Arguments(checkpoint, Path.Combine(_folder.Path, "resumed.singer")), out var resumeOut, out var resumeErrors))
        {
            resume.WaitForExit();
            resume.ExitCode.Should().Be(0, resumeErrors.ToString());
            string stdout = resumeOut.ToString();
            var straight = CliRunner.Run(Arguments(Path.Combine(_folder.Path, "straight.ckpt"), Path.Combine(_folder.Path, "straight.singer")));
            straight.ExitCode.Should().Be(0, straight.Stderr);
            using var a = JsonDocument.Parse(stdout);
            using var b = JsonDocument.Parse(straight.Stdout);
            a.RootElement.GetProperty("epochs").GetInt32().Should().Be(Epochs);
            a.RootElement.GetProperty("test").GetRawText().Should().Be(b.RootElement.GetProperty("test").GetRawText());
        }

        output.WriteLine($"{kills} kills, {midWrite} of them while a checkpoint was being written (a temporary file was left behind); the checkpoint in place loaded after every kill, and the resumed run matched the uninterrupted one.");
        kills.Should().BeGreaterThanOrEqualTo(3);
        midWrite.Should().BeGreaterThanOrEqualTo(1, "at least one kill must land inside a checkpoint write");
    }

    private static string[] TempFiles(string checkpoint) =>
        Directory.GetFiles(Path.GetDirectoryName(checkpoint)!, Path.GetFileName(checkpoint) + ".tmp-*");

    private static long CheckpointEpoch(string checkpoint)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(checkpoint);
        using var s = zip.GetEntry("training/state.json")!.Open();
        using var json = JsonDocument.Parse(s);
        return json.RootElement.GetProperty("Epoch").GetInt64();
    }

    private static Process Start(string cli, string[] arguments, out System.Text.StringBuilder stdout, out System.Text.StringBuilder stderr)
    {
        var o = stdout = new System.Text.StringBuilder();
        var e = stderr = new System.Text.StringBuilder();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(cli);
        foreach (string a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, a) => { lock (o) { o.AppendLine(a.Data); } };
        process.ErrorDataReceived += (_, a) => { lock (e) { e.AppendLine(a.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
