using System.Diagnostics;
using System.Globalization;
using System.Text;
using Singer.Recommendation.Core;

namespace Singer.Recommendation.Benchmarks;

/// <summary>
/// <c>growth</c>: training cost as the data grows. Synthetic data sets at 1×, 4×, 16× and 64× MovieLens-100K's size
/// (943·f users, 1,682·f items, 100,000·f interactions, a 384-d informative modality and an 8-d weak one), and for
/// LightGCN and SINGER (library defaults, d = 64), each in a fresh child process: the model build (for SINGER the
/// semantic graph: the kNN graphs and the co-interaction graph), the median training epoch and the median full-ranking
/// evaluation of all validation users over a few epochs, and the child's peak resident memory. Prints a table with the
/// fitted growth exponent of each step (the slope of log time over log f) next to the exponent its work implies, and
/// draws the log-log plot (ScottPlot).
/// </summary>
/// <remarks>
/// Arguments: <c>--cap N</c> (SINGER's <c>ContrastiveRows</c>), <c>--batch-scale</c> (batch size 2,048·f, so the
/// number of steps per epoch stays constant), <c>--max-steps N</c> (<see cref="TrainingOptions.MaxStepsPerEpoch"/>),
/// <c>--no-retain</c> (<see cref="TrainingOptions.RetainNativeMemory"/> off, the behaviour before it existed), <c>--factors 1,4,16,64</c> <c>--epochs 1</c> (per run; <c>--large-epochs 0</c> from <c>--large-from 16</c>×
/// on: build and evaluation only, because an epoch grows faster than linearly, see docs/benchmarks.md)
/// <c>--plot FILE.png</c> <c>--output FILE.md</c>. Work per step: an epoch is linear in the interactions (f¹), the
/// evaluation in users × items (f²), the kNN graph in N²·d (f²), the co-interaction graph in Σ_u |N_u|² (about f¹ at a
/// fixed mean degree).
/// </remarks>
internal static class GrowthMode
{
    private static readonly string[] Models = ["lightgcn", "singer"];

    public static int Run(string[] args)
    {
        var factors = ModeSupport.Ints(args, "factors", "1,4,16,64");
        int epochs = ModeSupport.Int(args, "epochs", 1), largeEpochs = ModeSupport.Int(args, "large-epochs", 0), largeFrom = ModeSupport.Int(args, "large-from", 16);
        string output = ModeSupport.Option(args, "output", ""), plot = ModeSupport.Option(args, "plot", "");
        int cap = ModeSupport.Int(args, "cap", 0);
        bool batchScale = args.Contains("--batch-scale");
        bool noRetain = args.Contains("--no-retain");
        int maxSteps = ModeSupport.Int(args, "max-steps", 0);
        string variant = (cap > 0 ? $"; SINGER's contrastive terms capped at {cap} rows (ContrastiveRows)" : "; library defaults") +
            (batchScale ? "; batch size 2,048·f (a constant number of steps per epoch)" : "; batch size 2,048") +
            (maxSteps > 0 ? $"; MaxStepsPerEpoch = {maxSteps}" : "") + (noRetain ? "; RetainNativeMemory off" : "");
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"Training cost as the data grows: f × ml100k (943·f users, 1,682·f items, 100,000·f interactions; features 384-d + 8-d){variant}, d = 64; {epochs} epoch(s) per run ({largeEpochs} from {largeFrom}× on: build and evaluation only), each run in its own process; the evaluation (all validation users, full ranking) is timed once before training");
        sb.AppendLine("Machine: " + ModeSupport.Machine() + "; load average at start: " + ModeSupport.LoadAverage());
        sb.AppendLine();
        sb.AppendLine("| f | users | items | training interactions | model | build / semantic graph (s) | epoch (s) | evaluation (s) | epochs | peak RSS (MB) |");
        sb.AppendLine("|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|");
        Console.WriteLine(sb.ToString());
        var results = new List<Row>();
        foreach (int f in factors)
        {
            foreach (string model in Models)
            {
                int e = f >= largeFrom ? largeEpochs : epochs;
                var row = RunChild(f, model, e, cap, batchScale, noRetain, maxSteps);
                if (row is null)
                {
                    sb.AppendLine(c, $"| {f} | | | | {model} | failed | | | | |");
                    continue;
                }

                results.Add(row);
                string line = string.Create(c,
                    $"| {f} | {row.Users:N0} | {row.Items:N0} | {row.Interactions:N0} | {(model == "singer" ? "SINGER" : "LightGCN")} | {row.Build:F2} | {(double.IsNaN(row.Epoch) ? "not run" : row.Epoch.ToString("F2", c))} | {row.Evaluation:F2} | {e} | {ModeSupport.Mb(row.Peak)} |");
                sb.AppendLine(line);
                Console.WriteLine(line);
            }
        }

        sb.AppendLine();
        sb.AppendLine("Fitted growth exponents (least-squares slope of log(value) over log(f); the work of the step grows as f^expected):");
        sb.AppendLine();
        sb.AppendLine("| step | model | fitted exponent | expected from its work |");
        sb.AppendLine("|---|---|---:|---:|");
        var steps = new (string Name, string Model, Func<Row, double> Value, string Expected)[]
        {
            ("model build (semantic graph: kNN + co-interaction graphs)", "singer", r => r.Build, "2 (kNN, N²·d)"),
            ("training epoch", "lightgcn", r => r.Epoch, "1"),
            ("training epoch", "singer", r => r.Epoch, "1"),
            ("full-ranking evaluation", "lightgcn", r => r.Evaluation, "2 (users × items)"),
            ("full-ranking evaluation", "singer", r => r.Evaluation, "2 (users × items)"),
            ("peak memory", "lightgcn", r => r.Peak, "≤ 1"),
            ("peak memory", "singer", r => r.Peak, "≤ 1"),
        };
        foreach (var (name, model, value, expected) in steps)
        {
            var points = results.Where(r => r.Model == model && !double.IsNaN(value(r))).Select(r => (X: Math.Log(r.Factor), Y: Math.Log(Math.Max(value(r), 1e-9)))).ToArray();
            sb.AppendLine(c, $"| {name} | {(model == "singer" ? "SINGER" : "LightGCN")} | {Slope(points):F2} | {expected} |");
        }

        sb.AppendLine();
        sb.AppendLine("Load average at the end: " + ModeSupport.LoadAverage() + "; OMP_NUM_THREADS=" + (Environment.GetEnvironmentVariable("OMP_NUM_THREADS") ?? "unset") + ".");
        if (plot.Length > 0 && results.Count > 0)
        {
            Plot(results, plot);
            sb.AppendLine(c, $"Plot: {plot}");
        }

        ModeSupport.Emit(sb.ToString(), output.Length > 0 ? output : null);
        return 0;
    }

    /// <summary><c>growth-one</c>: one measured data set and model, printed as a RESULT line for the parent.</summary>
    public static int RunOne(string[] args)
    {
        int f = ModeSupport.Int(args, "factor", 1), epochs = ModeSupport.Int(args, "epochs", 3);
        string model = ModeSupport.Option(args, "model", "singer");
        var data = SyntheticDataGenerator.Generate(new SyntheticDataOptions
        {
            Users = 943 * f,
            Items = 1_682 * f,
            Interactions = 100_000 * f,
            ImageDimension = 384,
            TextDimension = 8,
            Clusters = 20,
            Seed = 100 + f,
        });
        // Validation only at the end of the last epoch: the evaluation is timed on its own, before training (its cost
        // does not depend on the values).
        int cap = ModeSupport.Int(args, "cap", 0);
        int batch = args.Contains("--batch-scale") ? 2048 * f : 2048;
        int maxSteps = ModeSupport.Int(args, "max-steps", 0);
        bool retain = !args.Contains("--no-retain");
        var builder = (model == "lightgcn" ? SingerModelBuilder.LightGcn(data) : SingerModelBuilder.Singer(data))
            .WithTraining(t => t.MaxEpochs(Math.Max(1, epochs)).Patience(epochs + 1).EvaluateEvery(Math.Max(1, epochs)).BatchSize(batch)
                .MaxStepsPerEpoch(maxSteps > 0 ? maxSteps : null).RetainNativeMemory(retain))
            .WithSeed(1);
        if (cap > 0 && model == "singer")
        {
            builder.SetComponent((builder.GetComponent<Singer.Recommendation.Losses.AlignmentOptions>() ?? new()) with { ContrastiveRows = cap });
        }
        var clock = Stopwatch.StartNew();
        using var built = builder.Build();
        double build = clock.Elapsed.TotalSeconds;
        clock.Restart();
        built.Evaluate(DataSplit.Validation);
        double evaluation = clock.Elapsed.TotalSeconds;
        double epoch = double.NaN;
        if (epochs > 0)
        {
            epoch = built.Fit().MedianEpochSeconds;
        }

        long peak = PeakMemory.HighWaterMark();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT {data.UserCount} {data.ItemCount} {data.Train.Count} {build:R} {epoch:R} {evaluation:R} {peak}"));
        return 0;
    }

    private sealed record Row(int Factor, string Model, int Users, int Items, int Interactions, double Build, double Epoch, double Evaluation, long Peak);

    private static Row? RunChild(int f, string model, int epochs, int cap, bool batchScale, bool noRetain, int maxSteps)
    {
        string self = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        if (self.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && !Path.GetFileNameWithoutExtension(Environment.ProcessPath ?? "").Equals(Path.GetFileNameWithoutExtension(self), StringComparison.Ordinal))
        {
            start.ArgumentList.Add(self);
        }

        foreach (string a in new[] { "growth-one", "--factor", f.ToString(CultureInfo.InvariantCulture), "--model", model, "--epochs", epochs.ToString(CultureInfo.InvariantCulture), "--cap", cap.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(a);
        }

        if (batchScale)
        {
            start.ArgumentList.Add("--batch-scale");
        }

        if (noRetain)
        {
            start.ArgumentList.Add("--no-retain");
        }

        start.ArgumentList.Add("--max-steps");
        start.ArgumentList.Add(maxSteps.ToString(CultureInfo.InvariantCulture));

        using var process = Process.Start(start)!;
        string text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
        {
            Console.Error.WriteLine($"growth-one f = {f} {model} failed (exit {process.ExitCode}):\n{text}");
            return null;
        }

        var p = line.Split(' ');
        var c = CultureInfo.InvariantCulture;
        return new Row(f, model, int.Parse(p[1], c), int.Parse(p[2], c), int.Parse(p[3], c), double.Parse(p[4], c), double.Parse(p[5], c), double.Parse(p[6], c), long.Parse(p[7], c));
    }

    /// <summary>The least-squares slope of y over x.</summary>
    internal static double Slope(IReadOnlyList<(double X, double Y)> points)
    {
        if (points.Count < 2)
        {
            return double.NaN;
        }

        double mx = points.Average(p => p.X), my = points.Average(p => p.Y);
        double sxy = points.Sum(p => (p.X - mx) * (p.Y - my)), sxx = points.Sum(p => (p.X - mx) * (p.X - mx));
        return sxx == 0 ? double.NaN : sxy / sxx;
    }

    /// <summary>
    /// <c>growth-plot --input A.md[,B.md] [--labels a,b] [--title T] --plot FILE.png</c>: redraws the plot from the tables of
    /// earlier runs (the second file, if any, is drawn dashed, epochs only: for example the capped, batch-scaled
    /// variant, or the same runs before a change); <c>--labels</c> names each file's series in the legend.
    /// </summary>
    public static int Replot(string[] args)
    {
        var files = ModeSupport.Option(args, "input", "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        string plot = ModeSupport.Option(args, "plot", "growth.png");
        var sets = files.Select(ParseTable).ToList();
        var labels = ModeSupport.Option(args, "labels", "").Split(',');
        Plot(sets, files.Select((f, i) => labels.Length == files.Length ? $" ({labels[i]})" : i == 0 ? "" : " (capped, batch 2,048·f)").ToList(), plot);
        Console.WriteLine($"Plot: {plot}");
        return 0;
    }

    private static List<Row> ParseTable(string path)
    {
        var c = CultureInfo.InvariantCulture;
        var rows = new List<Row>();
        foreach (string line in File.ReadLines(path))
        {
            var cells = line.Split('|', StringSplitOptions.TrimEntries);
            if (cells.Length != 12 || !int.TryParse(cells[1], NumberStyles.Integer, c, out int f))
            {
                continue;
            }

            double Parse(string v) => double.TryParse(v, NumberStyles.Float | NumberStyles.AllowThousands, c, out double d) ? d : double.NaN;
            string model = cells[5] == "SINGER" ? "singer" : "lightgcn";
            if (rows.Any(r => r.Factor == f && r.Model == model))
            {
                continue;
            }

            rows.Add(new Row(f, model, (int)Parse(cells[2]), (int)Parse(cells[3]), (int)Parse(cells[4]), Parse(cells[6]), Parse(cells[7]), Parse(cells[8]), (long)(Parse(cells[10]) * 1048576)));
        }

        return rows;
    }

    private static void Plot(List<Row> rows, string path) => Plot([rows], [""], path);

    private static void Plot(List<List<Row>> sets, List<string> suffixes, string path)
    {
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var series = new (string Label, string Model, Func<Row, double> Value)[]
        {
            ("SINGER build (semantic graph)", "singer", r => r.Build),
            ("LightGCN epoch", "lightgcn", r => r.Epoch),
            ("SINGER epoch", "singer", r => r.Epoch),
            ("LightGCN evaluation", "lightgcn", r => r.Evaluation),
            ("SINGER evaluation", "singer", r => r.Evaluation),
        };
        for (int set = 0; set < sets.Count; set++)
        {
            for (int n = 0; n < series.Length; n++)
            {
                var (label, model, value) = series[n];
                // The variant only changes training: draw its epochs alone.
                if (set > 0 && !label.Contains("epoch", StringComparison.Ordinal))
                {
                    continue;
                }

                var points = sets[set].Where(r => r.Model == model && value(r) > 0 && !double.IsNaN(value(r))).ToArray();
                if (points.Length == 0)
                {
                    continue;
                }

                var scatter = plot.Add.Scatter(points.Select(r => Math.Log10(r.Interactions)).ToArray(), points.Select(r => Math.Log10(value(r))).ToArray());
                scatter.LegendText = label + suffixes[set];
                scatter.Color = palette.GetColor(n);
                scatter.MarkerSize = 7;
                scatter.LineWidth = 2;
                scatter.LinePattern = set == 0 ? ScottPlot.LinePattern.Solid : ScottPlot.LinePattern.Dashed;
            }
        }

        // Log-log: the data are log10 values; ticks at 1, 2 and 5 × 10^n, labelled with the values.
        var all = sets.SelectMany(r => r).ToArray();
        plot.Axes.Bottom.TickGenerator = LogTicks(all.Select(r => (double)r.Interactions), v => v >= 1e6 ? $"{v / 1e6:G3}M" : $"{v / 1e3:G3}k");
        plot.Axes.Left.TickGenerator = LogTicks(all.SelectMany(r => new[] { r.Build, r.Epoch, r.Evaluation }).Where(v => v > 0 && !double.IsNaN(v)), v => v.ToString("G3", CultureInfo.InvariantCulture));
        plot.XLabel("training interactions (log scale)");
        plot.YLabel("seconds (log scale)");
        plot.Title(ModeSupport.Option(Environment.GetCommandLineArgs(), "title", "Training cost as the data grows (1×, 4×, 16×, 64× ml100k)"));
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        plot.SavePng(path, 900, 560);
    }

    private static ScottPlot.TickGenerators.NumericManual LogTicks(IEnumerable<double> values, Func<double, string> label)
    {
        var v = values.ToArray();
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        int low = (int)Math.Floor(Math.Log10(v.Min())), high = (int)Math.Ceiling(Math.Log10(v.Max()));
        for (int e = low; e <= high; e++)
        {
            foreach (double m in new[] { 1.0, 2.0, 5.0 })
            {
                double x = m * Math.Pow(10, e);
                ticks.AddMajor(Math.Log10(x), label(x));
            }
        }

        return ticks;
    }
}
