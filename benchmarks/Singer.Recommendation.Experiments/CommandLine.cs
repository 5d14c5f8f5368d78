using System.Globalization;

namespace Singer.Recommendation.Experiments;

/// <summary>The parsed arguments of a mode: named options and the remaining positional words.</summary>
internal sealed record CommandLine(Dictionary<string, string> Options, List<string> Words)
{
    public static CommandLine Parse(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var words = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException($"{args[i]} needs a value.");
                }

                options[args[i][2..]] = args[++i];
            }
            else
            {
                words.Add(args[i]);
            }
        }

        return new CommandLine(options, words);
    }

    public string Data => Options.TryGetValue("data", out var d) ? d : throw new ArgumentException("--data <MMRec folder> is required.");

    public int Epochs => Options.TryGetValue("epochs", out var e) ? int.Parse(e, CultureInfo.InvariantCulture) : 1000;

    public string? Get(string name) => Options.TryGetValue(name, out var v) ? v : null;
}
