using System.Text;

namespace Singer.Recommendation.Features;

/// <summary>Collects every problem of an options record and reports them in one exception.</summary>
internal sealed class OptionsValidation(string optionsName)
{
    private readonly List<string> _problems = [];

    public void Check(bool ok, string option, string message)
    {
        if (!ok)
        {
            _problems.Add($"{option}: {message}");
        }
    }

    public void ThrowIfAny()
    {
        if (_problems.Count == 0)
        {
            return;
        }

        var text = new StringBuilder($"{optionsName} is invalid ({_problems.Count} problem{(_problems.Count == 1 ? "" : "s")}):");
        foreach (string p in _problems)
        {
            text.Append(Environment.NewLine).Append("  - ").Append(p);
        }

        throw new ArgumentException(text.ToString());
    }

    public static bool IsModalityName(string? name) =>
        !string.IsNullOrWhiteSpace(name) && name.All(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.');
}
