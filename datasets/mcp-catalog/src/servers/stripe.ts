// Modelled on stripe/agent-toolkit's MCP server: snake_case verbs over Stripe objects, amounts in the smallest currency unit.
import { defineServer, int, list, oneOf, str, tool } from '../dsl.js';

const limit = { limit: int('A limit on the number of objects to be returned. Limit can range between 1 and 100.', { minimum: 1, maximum: 100 }) };

export default defineServer({
  name: 'stripe',
  openWorld: true,
  schemaStyle: 'zod',
  tools: [
    tool('create_customer', 'create', 'This tool will create a customer in Stripe.', { name: str('The name of the customer'), email: str('The email of the customer', { format: 'email' }) }, ['name']),
    tool('list_customers', 'read', 'This tool will fetch a list of Customers from Stripe.', { ...limit, email: str('A case-sensitive filter on the list based on the customer\'s email field. The value must be a string.') }),
    tool('create_product', 'create', 'This tool will create a product in Stripe.', { name: str('The name of the product.'), description: str('The description of the product.') }, ['name']),
    tool('list_products', 'read', 'This tool will fetch a list of Products from Stripe.', limit),
    tool('create_price', 'create', 'This tool will create a price in Stripe. If a product has not already been specified, a product should be created first.', { product: str('The ID of the product to create the price for.'), unit_amount: int('The unit amount of the price in cents.'), currency: str('The currency of the price.') }, ['product', 'unit_amount', 'currency']),
    tool('list_prices', 'read', 'This tool will fetch a list of Prices from Stripe.', { product: str('The ID of the product to list prices for.'), ...limit }),
    tool('create_payment_link', 'create', 'This tool will create a payment link in Stripe.', { price: str('The ID of the price to create the payment link for.'), quantity: int('The quantity of the product to include.'), redirect_url: str('The URL the customer will be redirected to after the purchase is complete.', { format: 'uri' }) }, ['price', 'quantity']),
    tool('create_invoice', 'create', 'This tool will create an invoice in Stripe.', { customer: str('The ID of the customer to create the invoice for.'), days_until_due: int('The number of days until the invoice is due.') }, ['customer']),
    tool('create_invoice_item', 'create', 'This tool will create an invoice item in Stripe.', { customer: str('The ID of the customer to create the invoice item for.'), price: str('The ID of the price for the item.'), invoice: str('The ID of the invoice to create the item for.') }, ['customer', 'price', 'invoice']),
    tool('finalize_invoice', 'update', 'This tool will finalize an invoice in Stripe.', { invoice: str('The ID of the invoice to finalize.') }, ['invoice']),
    tool('list_invoices', 'read', 'This tool will fetch a list of Invoices from Stripe.', { customer: str('The ID of the customer to list invoices for.'), ...limit }),
    tool('retrieve_balance', 'read', 'This tool will retrieve the balance from Stripe. It takes no input.', {}),
    tool('create_refund', 'create', 'This tool will refund a payment intent in Stripe.', { payment_intent: str('The ID of the PaymentIntent to refund.'), amount: int('The amount to refund in cents.'), reason: oneOf(['duplicate', 'fraudulent', 'requested_by_customer'], 'Reason for the refund') }, ['payment_intent']),
    tool('list_payment_intents', 'read', 'This tool will list payment intents in Stripe.', { customer: str('The ID of the customer to list payment intents for.'), ...limit }),
    tool('list_subscriptions', 'read', 'This tool will list all subscriptions in Stripe.', { customer: str('The ID of the customer to list subscriptions for.'), price: str('The ID of the price to list subscriptions for.'), status: oneOf(['active', 'past_due', 'unpaid', 'canceled', 'incomplete', 'incomplete_expired', 'trialing', 'all'], 'The status of the subscriptions to retrieve.'), ...limit }),
    tool('update_subscription', 'update', 'This tool will update an existing subscription in Stripe. If changes to a subscription item are needed, first retrieve the subscription to get the item IDs.', { subscription: str('The ID of the subscription to update.'), proration_behavior: oneOf(['create_prorations', 'none', 'always_invoice'], 'Determines how to handle prorations when the subscription items change.'), items: list({ type: 'object', properties: { id: { type: 'string' }, price: { type: 'string' }, quantity: { type: 'integer' }, deleted: { type: 'boolean' } } }, 'A list of subscription items to update, add, or remove.') }, ['subscription']),
    tool('cancel_subscription', 'delete', 'This tool will cancel a subscription in Stripe.', { subscription: str('The ID of the subscription to cancel.') }, ['subscription']),
    tool('list_coupons', 'read', 'This tool will fetch a list of Coupons from Stripe.', limit),
    tool('create_coupon', 'create', 'This tool will create a coupon in Stripe.', { name: str('Name of the coupon displayed to customers on invoices or receipts'), percent_off: { type: 'number', description: 'A positive float larger than 0, and smaller or equal to 100, that represents the discount the coupon will apply (required if amount_off is not passed).' }, amount_off: int('A positive integer representing the amount to subtract from an invoice total'), currency: str('Three-letter ISO code for the currency of the amount_off parameter'), duration: oneOf(['forever', 'once', 'repeating'], 'How long the discount will last. Defaults to "once"') }, ['name']),
    tool('list_disputes', 'read', 'This tool will fetch a list of disputes in Stripe.', { charge: str('Only return disputes associated to the charge specified by this charge ID.'), payment_intent: str('Only return disputes associated to the PaymentIntent specified by this PaymentIntent ID.'), ...limit }),
    tool('search_stripe_documentation', 'read', 'This tool will take in a user question about integrating with Stripe in their application, then search and retrieve relevant Stripe documentation to answer the question.', { question: str('User question about integrating with Stripe'), language: oneOf(['dotnet', 'go', 'java', 'node', 'php', 'ruby', 'python', 'curl'], 'The programming language to search for in the the documentation.') }, ['question']),
  ],
});
