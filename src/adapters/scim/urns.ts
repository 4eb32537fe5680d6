/** The schema and message URNs of RFC 7643/7644, and Roster's own extension. */
export const USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** Roster's own User extension: the role Roster decided, read-only (the SAML issue adds MFA state). */
export const ROSTER_URN = 'urn:roster:params:scim:schemas:extension:2.0:User';
export const LIST_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const PATCH_URN = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SEARCH_URN = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
