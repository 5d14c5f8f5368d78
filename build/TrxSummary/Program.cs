// Sums the counters of every *.trx file under a folder and prints "N passed, N failed, N skipped".
// Exit code: 0 when nothing failed and at least one test ran; 1 otherwise.
using System.Xml.Linq;

if (args.Length != 1 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: TrxSummary <folder with .trx files>");
    return 2;
}

long passed = 0, failed = 0, skipped = 0;
var files = Directory.GetFiles(args[0], "*.trx", SearchOption.AllDirectories);
foreach (string file in files)
{
    var doc = XDocument.Load(file);
    XNamespace ns = doc.Root!.Name.Namespace;
    foreach (var result in doc.Descendants(ns + "UnitTestResult"))
    {
        switch ((string?)result.Attribute("outcome"))
        {
            case "Passed": passed++; break;
            case "NotExecuted": skipped++; break;
            default:
                failed++;
                Console.Error.WriteLine($"FAILED: {(string?)result.Attribute("testName")}");
                break;
        }
    }
}

if (files.Length == 0)
{
    Console.Error.WriteLine($"No .trx files under {args[0]}: the test run did not produce results.");
    failed++;
}

Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
return failed == 0 && passed > 0 ? 0 : 1;
