// GraphQL selections shared by several screens.

export const CONTACT = "id profileName username waId phoneNumber bsuid tags";

export const MESSAGE = `id wamid direction type status text content templateName templateLanguage
  errorCode errorTitle errorDetails sentAt deliveredAt readAt failedAt receivedAt createdAt
  editedAt deletedAt replyToWamid origin
  replyTo { id text type direction }
  statusHistory { status occurredAt error { code title details } }`;

export const EVENT = `id name source properties createdAt causedByAutomationRunId
  message { id }`;

export const SESSION_HEAD = `id status flow flowToken tags phoneNumberId windowOpen windowExpiresAt
  startedAt updatedAt completedAt lastInboundAt
  contact { ${CONTACT} }
  flowState { screen answers result startedAt completedAt
    history(latest: 50) { action screen next error at } }`;
