
namespace Singer.Recommendation.Features;

/// <summary>
/// Collects every problem of an options record, each naming its option (<see cref="OptionProblem"/>, the library's one
/// validation mechanism), and reports them in one <see cref="SingerConfigurationException"/> (an <see cref="ArgumentException"/>).
/// </summary>
internal sealed class OptionsValidation(string optionsName)
{
    private readonly List<OptionProblem> _problems = [];

    public void Check(bool ok, string option, string message)
    {
        if (!ok)
        {
            _problems.Add(new OptionProblem($"{optionsName}.{option}", message));
        }
    }

    public void ThrowIfAny()
    {
        if (_problems.Count > 0)
        {
            throw new SingerConfigurationException(optionsName, _problems.ToArray());
        }
    }

    public static bool IsModalityName(string? name) =>
        !string.IsNullOrWhiteSpace(name) && name.All(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.');
}
