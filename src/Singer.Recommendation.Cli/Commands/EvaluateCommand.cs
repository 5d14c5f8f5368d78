using System.ComponentModel;
using Singer.Recommendation.Core;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Singer.Recommendation.Cli.Commands;

/// <summary>The options of <c>singer evaluate</c>.</summary>
internal sealed class EvaluateSettings : DataSettings
{
    [CommandOption("--model <FILE>")]
    [Description("The model file written by 'singer train' (or SingerModel.Save). Required.")]
    public string? ModelPath { get; set; }

    [CommandOption("--data <FOLDER>")]
    [Description("The MMRec folder the model was trained on; its split is evaluated. Required.")]
    public override string? Data { get; set; }

    [CommandOption("--split <SPLIT>")]
    [Description("test (default) or validation.")]
    [DefaultValue("test")]
    public string Split { get; set; } = "test";

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelPath))
        {
            return ValidationResult.Error("--model <FILE> is required: the saved model to evaluate.");
        }

        if (DataProblem("--data <FOLDER> is required: the MMRec folder whose split is evaluated.") is { } problem)
        {
            return ValidationResult.Error(problem);
        }

        return Split.ToLowerInvariant() is "test" or "validation"
            ? ValidationResult.Success()
            : ValidationResult.Error($"--split must be test or validation; got '{Split}'.");
    }
}

/// <summary><c>singer evaluate</c>: full-ranking metrics of a saved model on a data folder's split.</summary>
internal sealed class EvaluateCommand(CliConsole console) : Command<EvaluateSettings>
{
    public override int Execute(CommandContext context, EvaluateSettings settings, CancellationToken cancellationToken)
    {
        var device = Shared.ResolveDevice(settings);
        var split = settings.Split.Equals("validation", StringComparison.OrdinalIgnoreCase) ? DataSplit.Validation : DataSplit.Test;
        var data = Shared.LoadData(settings);
        using var model = SingerModel.Load(settings.ModelPath!, device);
        Shared.CheckFits(model, settings.ModelPath!, data, settings.Data!, console.Error);
        if (data.GetSplit(split).Count == 0)
        {
            throw new DataMismatchException($"{settings.Data} has no {split.ToString().ToLowerInvariant()} interactions (x_label {(split == DataSplit.Test ? 2 : 1)}), so there is nothing to evaluate.");
        }

        // The loaded model keeps only its training interactions; the folder supplies the split and the training items to mask.
        var result = RankingEvaluator.Evaluate(model, data, split, cancellationToken: cancellationToken);
        if (settings.Json)
        {
            Shared.WriteJson(console, new
            {
                model = model.Name,
                modelPath = Path.GetFullPath(settings.ModelPath!),
                dataset = data.Name,
                split = split.ToString().ToLowerInvariant(),
                users = result.UserCount,
                metrics = result.ByK,
            });
        }
        else
        {
            console.Out.MarkupLineInterpolated(
                $"[bold]{model.Name}[/] from {settings.ModelPath} on '{data.Name}', {split.ToString().ToLowerInvariant()} split ({result.UserCount:N0} users, full ranking, training items masked)");
            console.Out.Write(Shared.MetricsTable(result));
        }

        return ExitCodes.Success;
    }
}
