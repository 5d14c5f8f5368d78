using System.ComponentModel;
using Spectre.Console.Cli;

namespace Singer.Recommendation.Cli.Commands;

/// <summary>The options of every command that reads an MMRec data folder (<c>train</c>, <c>evaluate</c>, <c>graph</c>).</summary>
internal abstract class DataSettings : CommonSettings
{
    /// <summary>The MMRec folder; each command describes it in its own words.</summary>
    public abstract string? Data { get; set; }

    [CommandOption("--name <NAME>")]
    [Description("The data set in --data to load, <NAME>.inter; needed when the folder holds several .inter files. Default: the folder's only .inter file.")]
    public string? Name { get; set; }

    [CommandOption("--duplicates <POLICY>")]
    [Description("A (user, item) pair on more than one line of the .inter file: reject (stop and name both lines) or keep-first (keep the first, ignore the others). Default: reject.")]
    public string? Duplicates { get; set; }

    /// <summary>The library policy of <c>--duplicates</c> (after <see cref="DataProblem"/> found none).</summary>
    public DuplicateInteractionPolicy DuplicatePolicy =>
        string.Equals(Duplicates, "keep-first", StringComparison.OrdinalIgnoreCase) ? DuplicateInteractionPolicy.KeepFirst : DuplicateInteractionPolicy.Reject;

    /// <summary>The first problem of <c>--data</c>, <c>--name</c> or <c>--duplicates</c>, or null.</summary>
    /// <param name="missingData">What to say when <c>--data</c> is missing (what the folder is for).</param>
    protected string? DataProblem(string missingData) =>
        string.IsNullOrWhiteSpace(Data) ? missingData
        : Shared.NameProblem(Name) is { } name ? name
        : Duplicates is null || Duplicates.ToLowerInvariant() is "reject" or "keep-first" ? null
        : $"--duplicates must be reject or keep-first; got '{Duplicates}'.";
}
