// Modelled on the Azure MCP Server (Azure/azure-mcp): grouped service tools with subscription/resource-group arguments.
import { defineServer, int, record, str, tool } from '../dsl.js';

const sub = { subscription: str('The Azure subscription ID or name'), 'resource-group': str('The name of the Azure resource group') };

export default defineServer({
  name: 'azure',
  openWorld: true,
  schemaStyle: 'zod',
  tools: [
    tool('azmcp_subscription_list', 'read', 'List all Azure subscriptions accessible to your account.', {}),
    tool('azmcp_group_list', 'read', 'List all resource groups in a subscription.', { subscription: sub.subscription }, ['subscription']),
    tool('azmcp_storage_account_list', 'read', 'List all Storage accounts in a subscription.', { subscription: sub.subscription }, ['subscription']),
    tool('azmcp_storage_blob_list', 'read', 'List all blobs in a Storage container.', { subscription: sub.subscription, account: str('The name of the Azure Storage account'), container: str('The name of the container'), prefix: str('Only list blobs whose names begin with this prefix') }, ['subscription', 'account', 'container']),
    tool('azmcp_cosmos_database_container_item_query', 'read', 'Execute a SQL query against items in a Cosmos DB container.', { subscription: sub.subscription, account: str('The Cosmos DB account name'), database: str('The database name'), container: str('The container name'), query: str('SQL query to execute', { default: 'SELECT * FROM c' }) }, ['subscription', 'account', 'database', 'container']),
    tool('azmcp_monitor_log_query', 'read', 'Execute a KQL query against a Log Analytics workspace.', { subscription: sub.subscription, workspace: str('The Log Analytics workspace ID or name'), table: str('The name of the table to query'), query: str('The KQL query to execute, e.g. "AppExceptions | where TimeGenerated > ago(1h)"'), hours: int('The number of hours to query from now', { default: 24 }), limit: int('The maximum number of results to return', { default: 20 }) }, ['subscription', 'workspace', 'table', 'query']),
    tool('azmcp_monitor_metrics_query', 'read', 'Query Azure Monitor metrics for a resource.', { ...sub, 'resource-name': str('The name of the resource'), 'metric-names': str('Comma-separated metric names'), interval: str('Time grain, e.g. PT1H') }, ['subscription', 'resource-name', 'metric-names']),
    tool('azmcp_aks_cluster_list', 'read', 'List all Azure Kubernetes Service (AKS) clusters in a subscription.', { subscription: sub.subscription }, ['subscription']),
    tool('azmcp_keyvault_secret_get', 'read', 'Get a secret from an Azure Key Vault.', { subscription: sub.subscription, vault: str('The name of the Key Vault'), secret: str('The name of the secret') }, ['subscription', 'vault', 'secret']),
    tool('azmcp_appconfig_kv_set', 'update', 'Set a key-value setting in an App Configuration store.', { subscription: sub.subscription, account: str('The App Configuration store name'), key: str('The key'), value: str('The value'), label: str('Optional label') }, ['subscription', 'account', 'key', 'value']),
    tool('azmcp_functionapp_list', 'read', 'List the Function Apps in a subscription or resource group.', sub, ['subscription']),
    tool('azmcp_deploy_app', 'execute', 'Deploy an application to Azure App Service or Container Apps from a local project.', { ...sub, 'app-name': str('Name of the app'), 'project-path': str('Local path of the project'), settings: record('App settings to apply') }, ['subscription', 'app-name', 'project-path']),
  ],
});
