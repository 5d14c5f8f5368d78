namespace Singer.Recommendation;

/// <summary>
/// A data file could not be read because its content is malformed: the message names the file and, where
/// there is one, the 1-based line (text files) or 0-based row (<c>.npy</c> files), says what is wrong and how
/// to fix it. Nothing is half-loaded: the loader returns no data set.
/// </summary>
public class DataFormatException : FormatException
{
    /// <summary>Creates the exception for <paramref name="filePath"/>; <paramref name="line"/> is 1-based or null.</summary>
    public DataFormatException(string filePath, long? line, string problem, Exception? innerException = null)
        : base(Compose(filePath, line, problem), innerException)
    {
        FilePath = filePath;
        Line = line;
        Problem = problem;
    }

    /// <summary>The file that was being read.</summary>
    public string FilePath { get; }

    /// <summary>The 1-based line of a text file, or null when the problem is not on one line.</summary>
    public long? Line { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }

    private static string Compose(string filePath, long? line, string problem) =>
        line is { } l ? $"Line {l} of {filePath}: {problem}" : $"{filePath}: {problem}";
}

/// <summary>
/// A <c>.npy</c> feature file is malformed (bad magic, unsupported version or dtype, Fortran order, wrong
/// rank, a declared size that the file length does not hold) or holds a non-finite value. <see cref="Row"/>
/// names the 0-based row of a bad value.
/// </summary>
public sealed class NpyFormatException : DataFormatException
{
    /// <summary>Creates the exception; <paramref name="row"/> is the 0-based matrix row, or null.</summary>
    public NpyFormatException(string filePath, long? row, string problem)
        : base(filePath, null, row is { } r ? $"row {r}: {problem}" : problem)
    {
        Row = row;
    }

    /// <summary>The 0-based matrix row with the problem, or null when it is in the header or the length.</summary>
    public long? Row { get; }
}

/// <summary>
/// The files of a data set are each well-formed but do not fit together: a feature file whose row count
/// differs from the item count. The message names the files involved. (A repeated interaction, also across
/// splits, is a <see cref="DataFormatException"/> that names both lines.)
/// </summary>
public sealed class DatasetConsistencyException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public DatasetConsistencyException(string message)
        : base(message)
    {
    }
}
