using LoraLab.Web.Accounts;
using LoraLab.Web.Apis;
using LoraLab.Web.Components;
using LoraLab.Web.Extensions;
using LoraLab.Web.Hubs;

var builder = WebApplication.CreateBuilder(args);
builder.AddLoraLabServices();

var app = builder.Build();
if (!app.TrySelectComputeDevice()) return 1;
await app.PrepareStudioAsync();
await app.PrepareAccountsAsync();

if (!app.Environment.IsDevelopment())
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseApiProblemDetails();
app.UseStudioSecurity();
app.UseAntiforgery();

// Every endpoint requires a signed-in user (the fallback policy) unless it allows anonymous callers, as these do.
app.MapStaticAssets().AllowAnonymous();
app.MapHealthApi();
app.MapModelsApi();
app.MapDatasetsApi();
app.MapRunsApi();
app.MapSweepsApi();
app.MapAdaptersApi();
app.MapDevicesApi();
app.MapClusterApi();
app.MapPlaygroundApi();
app.MapEvaluationsApi();
app.MapOpenAiApi();
app.MapTrainingHub();
app.MapAccountEndpoints();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

await app.RunAsync();
return 0;
