using Orleans;

namespace Singer.Recommendation.Orleans;

/// <summary>
/// A silo could not read a feature source: the file is missing there, is not a valid 2-D <c>.npy</c>, is truncated, lacks
/// the rows a work item needs, has a dimension other than the job's, or holds NaN or infinity. The message names the
/// file (as the silo sees it) and the rows. Work items that fail this way are not re-issued: every silo would fail
/// the same way.
/// </summary>
[GenerateSerializer, Alias("Singer.FeatureSourceException")]
public sealed class FeatureSourceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FeatureSourceException()
        : base("A feature source could not be read.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public FeatureSourceException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public FeatureSourceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
