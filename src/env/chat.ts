// The message and tool shapes every environment speaks (what the chat template takes).

/** A chat message as the chat template takes it (role "tool" = a tool reply). */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
}

/** OpenAI function-tool format: what goes into the chat template's `tools` list. */
export interface ToolSchema {
  type: 'function';
  function: {
    name: string;
    description: string;
    parameters: {
      type: 'object';
      properties: Record<string, { type: string; description: string; minimum?: number }>;
      required: string[];
    };
  };
}
