"""What a failed Slack call means for the message: retry it, give up on it, or retry a little.

Slack answers most failures with HTTP 200 and `{"ok": false, "error": CODE}`; the code, not
the status, says whether another try can help. The lists below are the codes Slack
documents for the methods the outbox sends (chat.postMessage, chat.update, views.publish)
and the calls the sender makes to check for a message (conversations.open,
conversations.history, conversations.replies), plus the errors Slack documents as common
to every method.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorClass(StrEnum):
    """How the sender treats a failed call."""

    TRANSIENT = "transient"  # retry with backoff (Retry-After when Slack gives one)
    PERMANENT = "permanent"  # no retry can fix it: fail the row and tell the lead
    UNKNOWN = "unknown"  # not documented: retry a few times, then fail visibly


# Slack's side of things is briefly broken, busy or migrating; the same call will work later.
TRANSIENT_CODES = frozenset(
    {
        "internal_error",  # "likely due to a transient issue on our end"
        "fatal_error",
        "service_unavailable",
        "request_timeout",  # the POST body arrived missing or truncated
        "ratelimited",
        "rate_limited",  # chat.postMessage's spelling in its own error list
        "team_added_to_org",  # "intermittently unavailable until the transition is complete"
        "org_login_required",  # an Enterprise migration, "until migration is complete"
    }
)

# The request, the token or the recipient is wrong; sending it again gets the same answer.
PERMANENT_CODES = frozenset(
    {
        # the recipient or the conversation
        "channel_not_found",
        "user_not_found",
        "user_not_visible",
        "user_disabled",
        "account_inactive",
        "not_in_channel",
        "is_archived",
        "is_inactive",
        "cannot_dm_bot",
        "messages_tab_disabled",
        "method_not_supported_for_channel_type",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "cannot_reply_to_message",
        "ekm_access_denied",
        "access_denied",
        "team_access_not_granted",
        "team_not_found",
        "enterprise_is_restricted",
        # the message itself
        "invalid_blocks",
        "invalid_blocks_format",
        "invalid_attachments",
        "invalid_metadata_format",
        "invalid_metadata_schema",
        "metadata_too_large",
        "metadata_must_be_sent_from_app",
        "msg_too_long",
        "no_text",
        "too_many_attachments",
        "attachment_payload_limit_exceeded",
        "as_user_not_supported",
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
        "view_too_large",
        "not_enabled",  # views.publish: the app's Home tab is switched off
        "duplicate_external_id",
        "invalid_cursor",
        "invalid_ts_latest",
        "invalid_ts_oldest",
        "thread_not_found",  # conversations.replies: the thread's parent is gone
        "users_list_not_supplied",
        "not_enough_users",
        "too_many_users",
        # the token and the app
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "no_permission",
        "not_allowed_token_type",
        "two_factor_setup_required",
        "accesslimited",
        "deprecated_endpoint",
        "method_deprecated",
        # the encoding of the call
        "invalid_arguments",
        "invalid_arg_name",
        "invalid_array_arg",
        "invalid_charset",
        "invalid_form_data",
        "invalid_post_type",
        "missing_post_type",
        "invalid_json",
        "json_not_object",
        # the sender's own: the message an edit or reply refers to was never sent
        "original_not_sent",
    }
)

# Failures after which Slack may hold the message anyway: Slack says of internal_error and
# fatal_error that "some aspect of the operation succeeded" is possible, and a 5xx or a lost
# answer says nothing. The next attempt looks for the message before posting it again.
MAY_HAVE_LANDED_CODES = frozenset({"internal_error", "fatal_error"})


def classify(status: int, code: str) -> ErrorClass:
    """The class of a failed call from its HTTP status and Slack's error code."""
    if status == 429 or status >= 500 or code in TRANSIENT_CODES:
        return ErrorClass.TRANSIENT
    if code in PERMANENT_CODES:
        return ErrorClass.PERMANENT
    return ErrorClass.UNKNOWN


def may_have_landed(status: int, code: str) -> bool:
    """True when Slack may have carried out the call although it answered with an error."""
    return status >= 500 or code in MAY_HAVE_LANDED_CODES
