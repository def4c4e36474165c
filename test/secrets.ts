// Test-only secrets, shared by the Node-side servers and the workerd bindings.
export const TEST_ADMIN_TOKEN = 'test-admin-token';
export const TEST_DESTINATION_SECRET = 'whsec_dGVzdC1kZXN0aW5hdGlvbi1zZWNyZXQtMDEyMzQ1Njc4OQ==';
export const TEST_DEMO_SECRET = 'whsec_dGVzdC1kZW1vLXNlY3JldC0wMTIzNDU2Nzg5YWJjZGVm';
export const TEST_DEMO_OLD_SECRET = 'whsec_dGVzdC1kZW1vLW9sZC1zZWNyZXQtMDEyMzQ1Njc4OQ==';
export const TEST_N8N_SECRET = 'test-n8n-shared-secret';
export const TEST_META_PAGE_TOKEN = 'test-meta-page-token';
export const TEST_HUBSPOT_TOKEN = 'pat-test-hubspot-token';
/** A second HubSpot portal's token, revoked and restored by the pause tests only. */
export const TEST_HUBSPOT_PAUSE_TOKEN = 'pat-test-hubspot-pause-token';
export const TEST_PIPEDRIVE_TOKEN = 'test-pipedrive-api-token';
export const TEST_SALESFORCE_CLIENT = { id: 'test-sf-client-id', secret: 'test-sf-client-secret' };
export const TEST_SLACK_SIGNING_SECRET = 'test-slack-signing-secret-0123456789';
export const TEST_EMAIL_TOKEN = 're_test_email_api_key';
