namespace Singer.Recommendation;

/// <summary>A model file could not be loaded. The message names the file (or stream) and the problem.</summary>
public class ModelFileException : IOException
{
    /// <summary>Creates the exception.</summary>
    public ModelFileException(string source, string problem, Exception? innerException = null)
        : base($"Model file {source}: {problem}", innerException)
    {
        Source = source;
        Problem = problem;
    }

    /// <summary>The file path or stream name.</summary>
    public new string Source { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }
}

/// <summary>The model file is damaged: not a model archive, truncated, an entry missing, or an entry whose SHA-256 does not match the manifest (corrupted or tampered with).</summary>
public sealed class CorruptModelFileException : ModelFileException
{
    /// <summary>Creates the exception; <paramref name="entry"/> names the archive entry, if one is at fault.</summary>
    public CorruptModelFileException(string source, string problem, string? entry = null, Exception? innerException = null)
        : base(source, problem, innerException)
    {
        Entry = entry;
    }

    /// <summary>The archive entry at fault, or null.</summary>
    public string? Entry { get; }
}

/// <summary>The model file was written by a newer format version than this library reads.</summary>
public sealed class UnsupportedModelVersionException : ModelFileException
{
    /// <summary>Creates the exception.</summary>
    public UnsupportedModelVersionException(string source, int fileVersion, int supportedVersion)
        : base(source, $"format version {fileVersion} is newer than this library reads (up to {supportedVersion}); upgrade Singer.Recommendation to load it.")
    {
        FileVersion = fileVersion;
        SupportedVersion = supportedVersion;
    }

    /// <summary>The file's format version.</summary>
    public int FileVersion { get; }

    /// <summary>The newest version this library reads.</summary>
    public int SupportedVersion { get; }
}

/// <summary>The model file is intact but inconsistent: a tensor or a table does not have the dimensions the manifest declares.</summary>
public sealed class IncompatibleModelFileException : ModelFileException
{
    /// <summary>Creates the exception.</summary>
    public IncompatibleModelFileException(string source, string problem, Exception? innerException = null)
        : base(source, problem, innerException)
    {
    }
}
