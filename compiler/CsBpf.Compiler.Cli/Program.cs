using CsBpf.Analyzers.Diagnostics;
using CsBpf.Compiler;
using CsBpf.Compiler.Cli;

// csbpfc: thin front end of CsBpf.Compiler. Exit codes: 0 success, 1 compile errors (or an internal
// error), 2 bad usage.
CompilerTimings.Mark("runtime start-up");
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };

if (args is ["tracepoint", ..]) return TracepointCommand.Run(args[1..], Console.Out, Console.Error);

CommandLineOptions options;
try
{
    options = CommandLineOptions.Parse(args);
}
catch (CommandLineException e)
{
    // "csbpfc: error: …" is canonical enough for MSBuild's Exec to show it as an error.
    Console.Error.WriteLine($"{CanonicalDiagnosticFormatter.ToolName}: error: {e.Message}");
    Console.Error.WriteLine($"Run '{CanonicalDiagnosticFormatter.ToolName} --help' for usage.");
    return 2;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"{CanonicalDiagnosticFormatter.ToolName}: error: {e.Message}");
    return 2;
}

CompilerTimings.Mark("command line");

if (options.ShowHelp)
{
    Console.WriteLine(CommandLineOptions.Usage);
    return 0;
}

try
{
    return CompilerDriver.Run(options, Console.Out, cts.Token);
}
catch (OperationCanceledException) when (cts.IsCancellationRequested)
{
    Console.Out.WriteLine(CanonicalDiagnosticFormatter.Format("error", RuleIdentifiers.BackendFailure, "compilation cancelled"));
    return 1;
}
catch (Exception e)
{
    Console.Out.WriteLine(CanonicalDiagnosticFormatter.Format("error", RuleIdentifiers.BackendFailure, $"internal compiler error: {e.GetType().FullName}: {e.Message}"));
    Console.Error.WriteLine(e.ToString());
    return 1;
}
