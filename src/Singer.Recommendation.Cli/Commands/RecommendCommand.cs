using System.ComponentModel;
using System.Globalization;
using Singer.Recommendation.Export;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Singer.Recommendation.Cli.Commands;

/// <summary>The options of <c>singer recommend</c>.</summary>
internal sealed class RecommendSettings : CommonSettings
{
    [CommandOption("--model <FILE>")]
    [Description("The model file written by 'singer train'. Required.")]
    public string? ModelPath { get; set; }

    [CommandOption("--user <ID>")]
    [Description("The user's id as in the data (for MMRec folders, the userID column). Required.")]
    public string? User { get; set; }

    [CommandOption("-k|--top <K>")]
    [Description("How many items. Default 20.")]
    [DefaultValue(20)]
    public int K { get; set; } = 20;

    [CommandOption("--include-seen")]
    [Description("Also rank the user's training items (by default they are left out).")]
    public bool IncludeSeen { get; set; }

    [CommandOption("--all-users")]
    [Description("Every user's top k, written to --out as Parquet (user_id, rank, item_id, score), streamed in batches.")]
    public bool AllUsers { get; set; }

    [CommandOption("--out <FILE>")]
    [Description("With --all-users: the Parquet file to write (atomically: a temporary file renamed when complete).")]
    public string? Out { get; set; }

    [CommandOption("--batch-size <N>")]
    [Description("With --all-users: users per engine batch. Default 256.")]
    [DefaultValue(256)]
    public int BatchSize { get; set; } = 256;

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelPath))
        {
            return ValidationResult.Error("--model <FILE> is required: the saved model to recommend with.");
        }

        if (AllUsers)
        {
            if (User is not null)
            {
                return ValidationResult.Error("--user and --all-users exclude each other: give one user, or export all of them.");
            }

            if (string.IsNullOrWhiteSpace(Out))
            {
                return ValidationResult.Error("--all-users needs --out <FILE.parquet>: where to write every user's recommendations.");
            }

            if (BatchSize is < 1 or > 65_536)
            {
                return ValidationResult.Error($"--batch-size must be in [1, 65536]; got {BatchSize}.");
            }
        }
        else if (Out is not null)
        {
            return ValidationResult.Error("--out is for --all-users; a single user's recommendations are printed.");
        }
        else if (string.IsNullOrWhiteSpace(User))
        {
            return ValidationResult.Error("--user <ID> is required (or --all-users --out FILE for every user).");
        }

        return K is >= 1 and <= 1000
            ? ValidationResult.Success()
            : ValidationResult.Error($"-k must be in [1, 1000]; got {K}.");
    }
}

/// <summary><c>singer recommend</c>: a user's top-k items through <see cref="RecommendationEngine"/>.</summary>
internal sealed class RecommendCommand(CliConsole console) : Command<RecommendSettings>
{
    public override int Execute(CommandContext context, RecommendSettings settings, CancellationToken cancellationToken)
    {
        var device = Shared.ResolveDevice(settings);
        using var model = SingerModel.Load(settings.ModelPath!, device);
        using var engine = RecommendationEngine.Create(model);
        if (settings.AllUsers)
        {
            return ExportAll(engine, model, settings, cancellationToken);
        }

        var items = engine.Recommend(settings.User!, settings.K, excludeSeen: !settings.IncludeSeen);
        if (settings.Json)
        {
            Shared.WriteJson(console, new
            {
                user = settings.User,
                k = settings.K,
                includeSeen = settings.IncludeSeen,
                items = items.Select((r, n) => new { rank = n + 1, itemId = r.ItemId, score = r.Score }),
            });
            return ExitCodes.Success;
        }

        console.Out.MarkupLineInterpolated(
            $"Top {items.Count} items for user [bold]{settings.User}[/] ({model.Name}, {(settings.IncludeSeen ? "training items included" : "training items left out")})");
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn("rank").RightAligned())
            .AddColumn("item")
            .AddColumn(new TableColumn("score").RightAligned());
        for (int n = 0; n < items.Count; n++)
        {
            table.AddRow(
                (n + 1).ToString(CultureInfo.InvariantCulture),
                Markup.Escape(items[n].ItemId),
                items[n].Score.ToString("F4", CultureInfo.InvariantCulture));
        }

        console.Out.Write(table);
        return ExitCodes.Success;
    }

    private int ExportAll(RecommendationEngine engine, SingerModel model, RecommendSettings settings, CancellationToken cancellationToken)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, console.Cancellation);
        var options = new ParquetExportOptions { K = settings.K, ExcludeSeen = !settings.IncludeSeen, BatchSize = settings.BatchSize };
        ExportSummary summary;
        if (!settings.Json && console.Interactive)
        {
            summary = null!;
            console.Out.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape($"{engine.UserCount:N0} users × top {settings.K}"), maxValue: engine.UserCount);
                    var progress = new CallbackProgress(p => task.Value = p.UsersDone);
                    summary = RecommendationExport.WriteParquetAsync(engine, settings.Out!, options, progress, cancel.Token).GetAwaiter().GetResult();
                    task.Value = engine.UserCount;
                });
        }
        else
        {
            var progress = settings.Json ? null : new CallbackProgress(p => console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{p.UsersDone:N0} of {p.UsersTotal:N0} users ({p.Elapsed.TotalSeconds:F1} s)")));
            summary = RecommendationExport.WriteParquetAsync(engine, settings.Out!, options, progress, cancel.Token).GetAwaiter().GetResult();
        }

        long bytes = new FileInfo(settings.Out!).Length;
        if (settings.Json)
        {
            Shared.WriteJson(console, new
            {
                @out = settings.Out,
                users = summary.Users,
                rows = summary.Rows,
                rowGroups = summary.RowGroups,
                k = settings.K,
                includeSeen = settings.IncludeSeen,
                seconds = summary.Elapsed.TotalSeconds,
                bytes,
            });
            return ExitCodes.Success;
        }

        console.Out.MarkupLineInterpolated(
            $"Wrote [bold]{settings.Out}[/]: {summary.Users:N0} users × top {settings.K} = {summary.Rows:N0} rows ({model.Name}, {(settings.IncludeSeen ? "training items included" : "training items left out")}), {bytes / 1048576.0:F1} MB in {summary.Elapsed.TotalSeconds:F1} s ({summary.Users / Math.Max(summary.Elapsed.TotalSeconds, 1e-9):N0} users/s).");
        return ExitCodes.Success;
    }

    /// <summary>Reports synchronously on the exporting thread.</summary>
    private sealed class CallbackProgress(Action<ExportProgress> report) : IProgress<ExportProgress>
    {
        public void Report(ExportProgress value) => report(value);
    }
}
