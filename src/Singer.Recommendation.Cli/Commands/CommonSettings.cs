using System.ComponentModel;
using Spectre.Console.Cli;

namespace Singer.Recommendation.Cli.Commands;

/// <summary>Options every command has.</summary>
internal class CommonSettings : CommandSettings
{
    [CommandOption("--json")]
    [Description("Print one JSON document to stdout and nothing else (no progress, no markup); errors still go to stderr.")]
    public bool Json { get; set; }

    [CommandOption("--device <DEVICE>")]
    [Description("cpu, cuda, cuda:N or auto (CUDA when available). Default: the SINGER_DEVICE environment variable, else cpu.")]
    public string? Device { get; set; }

    [CommandOption("-v|--verbose")]
    [Description("Log graph building and every epoch to stderr.")]
    public bool Verbose { get; set; }
}
