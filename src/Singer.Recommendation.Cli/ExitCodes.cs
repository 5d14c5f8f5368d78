namespace Singer.Recommendation.Cli;

/// <summary>The process exit codes of <c>singer</c> (documented in docs/cli.md and in <c>--help</c>).</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Success = 0;

    /// <summary>A runtime failure: training diverged, CUDA is unavailable, an output file could not be written, or an unexpected error.</summary>
    public const int Failure = 1;

    /// <summary>Bad arguments or usage: an unknown command or option, a missing or invalid value, an invalid model configuration, an unknown user, several <c>.inter</c> files without <c>--name</c>.</summary>
    public const int Usage = 2;

    /// <summary>A data or model file problem: a missing or malformed MMRec folder (also a folder where a file belongs), a damaged or incompatible model file, a data folder that does not fit the model.</summary>
    public const int DataError = 3;

    /// <summary>Training was interrupted with Ctrl+C; the best model so far was still saved.</summary>
    public const int Cancelled = 130;
}
