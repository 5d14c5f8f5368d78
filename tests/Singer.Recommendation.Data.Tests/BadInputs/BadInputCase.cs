using Singer.Recommendation.Data.Tests.Helpers;

namespace Singer.Recommendation.Data.Tests.BadInputs;

/// <summary>
/// One malformed input: how to make it, the exact exception type a user gets, the file the message must name,
/// the 1-based line (text files) or 0-based row (<c>.npy</c>) it must name where there is one, and a fragment
/// of the explanation.
/// </summary>
/// <param name="Name">A short, unique name (the theory's case label).</param>
/// <param name="Arrange">Writes the input into a fresh folder and returns the call that must fail.</param>
/// <param name="Exception">The exact exception type (not a base type).</param>
/// <param name="File">The file or folder name the message must contain.</param>
/// <param name="Fragment">A fragment of the message that says what is wrong.</param>
/// <param name="Line">The 1-based line a <see cref="DataFormatException"/> must report, or null when the problem is not on one line.</param>
/// <param name="Row">The 0-based row an <see cref="NpyFormatException"/> must report, or null.</param>
internal sealed record BadInputCase(
    string Name,
    Func<TempFolder, Action> Arrange,
    Type Exception,
    string File,
    string Fragment,
    long? Line = null,
    long? Row = null)
{
    public override string ToString() => Name;
}
