namespace Singer.Recommendation;

/// <summary>What a loader does when the same (user, item) pair appears on more than one line.</summary>
public enum DuplicateInteractionPolicy
{
    /// <summary>Fail with a <see cref="DataFormatException"/> that names both lines (the default: MMRec files have no duplicates, so one is a sign of a wrong file).</summary>
    Reject = 0,

    /// <summary>Keep the first occurrence and ignore the later ones (typical for raw event logs).</summary>
    KeepFirst = 1,
}
