using System.ComponentModel;
using System.Globalization;
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

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelPath))
        {
            return ValidationResult.Error("--model <FILE> is required: the saved model to recommend with.");
        }

        if (string.IsNullOrWhiteSpace(User))
        {
            return ValidationResult.Error("--user <ID> is required.");
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
}
