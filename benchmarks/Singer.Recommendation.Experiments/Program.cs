// Experiments of the SINGER model whose output is docs/results.md. Each mode prints Markdown and one
// machine-readable RESULT line per run; every figure in docs/results.md names the command that produced it.
//
//   train    --data <mmrec> <singer|lightgcn> [key=value ...] [--epochs N]      one run, early stopping on validation
//   search   --data <mmrec> --grid <file> [--epochs N]                          one run per grid line; best by validation
//   ablation --data <mmrec> [key=value ...] [--epochs N]                        the SPEC §5 ablations of a configuration
//   coldstart --data <mmrec> [key=value ...] [--epochs N]                       SPEC §6 cold-start table
//   speed    --data <mmrec> [key=value ...] [--epochs N]                        median epoch and evaluation time, LightGCN and SINGER
//   foldin   --data <mmrec> [key=value ...] [--epochs N]                        10% of users held out of training, folded in from their items
using Singer.Recommendation;
using Singer.Recommendation.Core;
using Singer.Recommendation.Experiments;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(Modes.Usage);
    return 0;
}

try
{
    var device = ComputeDevice.FromEnvironment().Initialize();
    var cli = CommandLine.Parse(args[1..]);
    return args[0] switch
    {
        "train" => Modes.Train(cli, device),
        "search" => Modes.Search(cli, device),
        "ablation" => Modes.Ablation(cli, device),
        "coldstart" => Modes.ColdStart(cli, device),
        "speed" => Modes.Speed(cli, device),
        "baselines" => Modes.Baselines(cli, device),
        "summarize" => Modes.Summarize(cli),
        "foldin" => Modes.FoldIn(cli, device),
        _ => throw new ArgumentException($"Unknown mode '{args[0]}'.\n{Modes.Usage}"),
    };
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
